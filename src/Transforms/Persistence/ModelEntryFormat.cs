using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Signature and versions of a BN-MLP transformer's entry in the model zip, shared by the transformer's ML.NET
    /// loader and by <see cref="ModelZipReader"/>, which reads the entry without ML.NET.
    /// </summary>
    /// <param name="ModelSignature">Eight ASCII characters naming the entry's format.</param>
    /// <param name="LoaderSignature">The name ML.NET's component catalog knows the transformer's loader by.</param>
    /// <param name="CurrentVersion">The version this build writes.</param>
    /// <param name="OldestReadableVersion">The oldest version this build reads.</param>
    /// <param name="FirstVersionWithInputBatchNorm">The first version whose parameters include input batch normalization.</param>
    /// <param name="FirstVersionWithInputScaling">The first version whose parameters include input scaling.</param>
    /// <param name="FirstVersionWithInputEncoding">The first version whose parameters include input encoding.</param>
    /// <param name="Kind">What the model predicts, which fixes its output layer and score columns.</param>
    internal sealed record ModelEntryFormat(string ModelSignature, string LoaderSignature, uint CurrentVersion, uint OldestReadableVersion, uint FirstVersionWithInputBatchNorm,
        uint FirstVersionWithInputScaling, uint FirstVersionWithInputEncoding, BnMlpModelKind Kind)
    {
        /// <summary>0x00010001: initial; 0x00010002: input batch normalization; 0x00010003: input scaling; 0x00010004: input encoding.</summary>
        public static readonly ModelEntryFormat Classifier = new("BNMLPMCT", BnMlpMulticlassTransformer.LoaderSignature, 0x00010004, 0x00010001, 0x00010002, 0x00010003,
            0x00010004, BnMlpModelKind.Multiclass);

        /// <summary>0x00010001: initial, with input batch normalization; 0x00010002: input scaling; 0x00010003: input encoding.</summary>
        public static readonly ModelEntryFormat Regressor = new("BNMLPREG", BnMlpRegressionTransformer.LoaderSignature, 0x00010003, 0x00010001, 0x00010001, 0x00010002,
            0x00010003, BnMlpModelKind.Regression);

        /// <summary>0x00010001: initial, with input batch normalization and input scaling; 0x00010002: input encoding.</summary>
        public static readonly ModelEntryFormat Binary = new("BNMLPBIN", BnMlpBinaryTransformer.LoaderSignature, 0x00010002, 0x00010001, 0x00010001, 0x00010001,
            0x00010002, BnMlpModelKind.Binary);

        /// <summary>The format whose signature ML.NET's model header stores as <paramref name="signature"/>, or null for an
        /// entry that is not a BN-MLP's.</summary>
        public static ModelEntryFormat FromSignature(ulong signature) =>
            signature == Classifier.SignatureValue ? Classifier
            : signature == Binary.SignatureValue ? Binary
            : signature == Regressor.SignatureValue ? Regressor
            : null;

        /// <summary>The signature as ML.NET's model header stores it: the characters as a little-endian integer.</summary>
        public ulong SignatureValue { get; } = BinaryPrimitives.ReadUInt64LittleEndian(Encoding.ASCII.GetBytes(ModelSignature));

        /// <summary>Refuses, in our own words, versions this build cannot read (ML.NET would say "too new" or "too old").</summary>
        /// <param name="written">The version the entry was written in.</param>
        /// <param name="readable">The oldest version that can read the entry.</param>
        /// <exception cref="InvalidDataException">This build cannot read the entry.</exception>
        public void CheckVersion(uint written, uint readable)
        {
            if (readable > CurrentVersion || written > CurrentVersion)
            {
                throw new InvalidDataException($"This BN-MLP model was saved in format 0x{written:X8}, which needs format 0x{readable:X8} " +
                    $"to read; this MLNet.BatchNorm.Transforms reads up to 0x{CurrentVersion:X8}. Update the package to load it.");
            }
            if (written < OldestReadableVersion || readable > written)
                throw new InvalidDataException($"The BN-MLP model is damaged: its header gives format 0x{written:X8}, readable by 0x{readable:X8}.");
        }

        /// <summary>Refuses parameters whose output layer does not fit the entry's kind of model.</summary>
        /// <exception cref="InvalidDataException">A multiclass classifier with fewer than two outputs, or a binary classifier
        /// or regressor with other than one.</exception>
        public void CheckOutputCount(BnMlpModelParameters model)
        {
            if (!Kind.FitsOutputCount(model.OutputCount))
                throw new InvalidDataException($"The BN-MLP model is damaged: a {Kind.Describe()} with {model.OutputCount} output units; it needs {Kind.ExpectedOutputs()}.");
        }

        /// <summary>Whether an entry written in <paramref name="written"/> has input batch normalization in its parameters.</summary>
        public bool HasInputBatchNorm(uint written) => written >= FirstVersionWithInputBatchNorm;

        /// <summary>Whether an entry written in <paramref name="written"/> has input scaling in its parameters.</summary>
        public bool HasInputScaling(uint written) => written >= FirstVersionWithInputScaling;

        /// <summary>Whether an entry written in <paramref name="written"/> has input encoding in its parameters.</summary>
        public bool HasInputEncoding(uint written) => written >= FirstVersionWithInputEncoding;
    }
}
