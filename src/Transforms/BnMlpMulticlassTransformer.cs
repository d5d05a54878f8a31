using System;
using System.IO;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;
using MLNet.BatchNorm;

[assembly: LoadableClass(typeof(BnMlpMulticlassTransformer), null, typeof(SignatureLoadModel),
    "BN-MLP multiclass classifier", BnMlpMulticlassTransformer.LoaderSignature)]

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores rows with a trained BN-MLP: appends <c>Score</c> (class probabilities, known size, slot names from the
    /// label's key values) and <c>PredictedLabel</c> (a key of the training label's type), as ML.NET's multiclass
    /// trainers do. Batch normalization uses the stored population statistics, folded into the dense layers, so a row
    /// scores the same alone as in any batch. Inference is managed code; saved in the standard ML.NET model zip.
    /// </summary>
    public sealed class BnMlpMulticlassTransformer : ISingleFeaturePredictionTransformer<BnMlpModelParameters>, ICanSaveModel
    {
        internal const string LoaderSignature = "BnMlpMulticlassTransform";
        private const string LabelKeyValuesStream = "LabelKeyValues.idv";
        private const string LabelColumn = "Label";

        private readonly IHost _host;

        internal BnMlpMulticlassTransformer(IHostEnvironment env, BnMlpModelParameters model, string featureColumnName, DataViewSchema.Annotations labelAnnotations)
        {
            Contracts.CheckValue(env, nameof(env));
            _host = env.Register(nameof(BnMlpMulticlassTransformer));
            _host.CheckValue(model, nameof(model));
            _host.CheckNonEmpty(featureColumnName, nameof(featureColumnName));
            if (model.OutputCount < 2)
                throw _host.ExceptParam(nameof(model), $"A classifier's output layer needs at least two classes, found {model.OutputCount}.");
            Model = model;
            FeatureColumnName = featureColumnName;
            FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputCount);
            LabelKeyValues = KeyValuesOnly(labelAnnotations, model.OutputCount);
        }

        /// <summary>The learned parameters.</summary>
        public BnMlpModelParameters Model { get; }

        /// <summary>Name of the feature column the model reads.</summary>
        public string FeatureColumnName { get; }

        /// <summary>Type of the feature column: a vector of <see cref="BnMlpModelParameters.InputCount"/> singles.</summary>
        public DataViewType FeatureColumnType { get; }

        /// <summary>Always true: rows are scored one at a time by <see cref="PredictionEngine{TSrc, TDst}"/>.</summary>
        public bool IsRowToRowMapper => true;

        /// <summary>The training label's key values (empty when it had none).</summary>
        internal DataViewSchema.Annotations LabelKeyValues { get; }

        /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a vector of the model's size.</exception>
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

        /// <summary>Scores <paramref name="input"/> lazily, as its cursors move.</summary>
        public IDataView Transform(IDataView input)
        {
            _host.CheckValue(input, nameof(input));
            return new ScoredDataView(Bind(input.Schema), input);
        }

        /// <summary>A mapper that scores single rows, for <see cref="PredictionEngine{TSrc, TDst}"/>.</summary>
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(Bind(inputSchema));

        private ScoringBindings Bind(DataViewSchema inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            return new ScoringBindings(_host, this, inputSchema);
        }

        private static DataViewSchema.Annotations KeyValuesOnly(DataViewSchema.Annotations annotations, int classCount)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            var keyValues = annotations?.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
            if (keyValues?.Type is VectorDataViewType { Size: var size } && size == classCount)
                builder.Add(annotations, name => name == AnnotationUtils.Kinds.KeyValues);
            return builder.ToAnnotations();
        }

        /// <summary>Says what is wrong in our terms before ML.NET's generic checks ("Unknown file type", "model is too new").</summary>
        private static void CheckHeader(ModelHeader header)
        {
            var expected = GetVersionInfo();
            if (header.ModelSignature != expected.ModelSignature)
            {
                string signature = Encoding.ASCII.GetString(BitConverter.GetBytes(header.ModelSignature)).TrimEnd('\0');
                throw new InvalidDataException($"The model entry for '{LoaderSignature}' is not a BN-MLP model: its signature is '{signature}', expected '{ModelSignature}'.");
            }
            if (header.ModelVerReadable > expected.VerWrittenCur)
            {
                throw new InvalidDataException($"This BN-MLP model was saved in format 0x{header.ModelVerWritten:X8}, which needs format 0x{header.ModelVerReadable:X8} " +
                    $"to read; this MLNet.BatchNorm.Transforms reads up to 0x{expected.VerWrittenCur:X8}. Update the package to load it.");
            }
        }

        private const string ModelSignature = "BNMLPMCT";

        private static VersionInfo GetVersionInfo() => new(
            modelSignature: ModelSignature,
            verWrittenCur: 0x00010001, // Initial
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: LoaderSignature,
            // The simple name, so a later build of this assembly still loads the zip.
            loaderAssemblyName: typeof(BnMlpMulticlassTransformer).Assembly.GetName().Name);

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            _host.CheckValue(ctx, nameof(ctx));
            ctx.CheckAtModel();
            ctx.SetVersionInfo(GetVersionInfo());

            // *** Binary format ***
            // int: id of the feature column name
            // long, bytes, 32 bytes: the model parameters (ModelParametersFormat) and their SHA-256
            // stream LabelKeyValues.idv: an empty data view whose key column carries the label's key values
            ctx.SaveNonEmptyString(FeatureColumnName);
            ModelParametersFormat.Write(ctx.Writer, Model);
            ctx.SaveBinaryStream(LabelKeyValuesStream, writer =>
            {
                var schema = new DataViewSchema.Builder();
                schema.AddColumn(LabelColumn, new KeyDataViewType(typeof(uint), Model.OutputCount), LabelKeyValues);
                using var ch = _host.Start("Saving label key values");
                var saver = new BinarySaver(_host, new BinarySaver.Arguments { Silent = true });
                DataSaverUtils.SaveDataView(ch, saver, new EmptyDataView(_host, schema.ToSchema()), writer.BaseStream);
            });
        }

        private static BnMlpMulticlassTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            CheckHeader(ctx.Header);
            ctx.CheckAtModel(GetVersionInfo());
            string featureColumnName = ctx.LoadNonEmptyString();
            var model = ModelParametersFormat.Read(ctx.Reader);
            if (model.OutputCount < 2)
                throw new InvalidDataException($"The BN-MLP model is damaged: a classifier with {model.OutputCount} output unit.");

            DataViewSchema.Annotations labelAnnotations = null;
            var copy = new MemoryStream();
            if (ctx.TryLoadBinaryStream(LabelKeyValuesStream, reader => reader.BaseStream.CopyTo(copy)))
            {
                copy.Position = 0;
                var loader = new BinaryLoader(env, new BinaryLoader.Arguments(), copy);
                var label = loader.Schema.GetColumnOrNull(LabelColumn)
                    ?? throw new InvalidDataException("The BN-MLP model is damaged: its label key values have no label column.");
                labelAnnotations = label.Annotations;
            }
            return new BnMlpMulticlassTransformer(env, model, featureColumnName, labelAnnotations);
        }
    }
}
