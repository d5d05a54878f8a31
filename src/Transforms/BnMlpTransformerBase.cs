using System.IO;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// What the BN-MLP multiclass and binary classifiers and the regressor share: the learned parameters, the feature column, lazy scoring through
    /// <see cref="Transform"/> and <see cref="PredictionEngine{TSrc, TDst}"/> with batch normalization folded into the
    /// dense layers (population statistics only, so a row scores the same alone as in any batch), and the model zip entry.
    /// </summary>
    /// <remarks>ML.NET's permutation feature importance for a whole pipeline finds the predictor in it through the
    /// non-generic <see cref="ISingleFeaturePredictionTransformer"/>, an internal interface its own trainers implement.</remarks>
    public abstract class BnMlpTransformerBase : ISingleFeaturePredictionTransformer<BnMlpModelParameters>, ISingleFeaturePredictionTransformer, ICanSaveModel
    {
        private protected BnMlpTransformerBase(IHostEnvironment env, string name, BnMlpModelParameters model, string featureColumnName)
        {
            Contracts.CheckValue(env, nameof(env));
            Host = env.Register(name);
            Host.CheckValue(model, nameof(model));
            Host.CheckNonEmpty(featureColumnName, nameof(featureColumnName));
            Model = model;
            FeatureColumnName = featureColumnName;
            FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputCount);
            if (!Kind.FitsOutputCount(model.OutputCount))
                throw Host.ExceptParam(nameof(model), $"A {Kind.Describe()}'s output layer has {Kind.ExpectedOutputs()}; this model has {model.OutputCount}.");
        }

        /// <summary>The learned parameters.</summary>
        public BnMlpModelParameters Model { get; }

        /// <summary>Name of the feature column the model reads.</summary>
        public string FeatureColumnName { get; }

        /// <summary>Type of the feature column: a vector of <see cref="BnMlpModelParameters.InputCount"/> singles.</summary>
        public DataViewType FeatureColumnType { get; }

        /// <summary>Always true: rows are scored one at a time by <see cref="PredictionEngine{TSrc, TDst}"/>.</summary>
        public bool IsRowToRowMapper => true;

        private protected IHost Host { get; }

        /// <summary>The input schema plus the score columns.</summary>
        /// <exception cref="System.ArgumentOutOfRangeException">The feature column is missing or not a vector of the model's size.</exception>
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

        /// <summary>Scores <paramref name="input"/> lazily, as its cursors move.</summary>
        public IDataView Transform(IDataView input)
        {
            Host.CheckValue(input, nameof(input));
            return new ScoredDataView(Bind(input.Schema), input);
        }

        /// <summary>A mapper that scores single rows, for <see cref="PredictionEngine{TSrc, TDst}"/>.</summary>
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(Bind(inputSchema));

        private ScoringBindings Bind(DataViewSchema inputSchema)
        {
            Host.CheckValue(inputSchema, nameof(inputSchema));
            return new ScoringBindings(Host, this, inputSchema);
        }

        /// <summary>Adds the scoring of <paramref name="featureColumn"/> to an ONNX graph (what
        /// <c>mlContext.Model.ConvertToOnnx</c> asks of <see cref="Transform"/>'s output): the network, then the score
        /// columns of <paramref name="outputSchema"/> under their ML.NET names.</summary>
        internal void SaveAsOnnx(OnnxContext ctx, DataViewSchema.Column featureColumn, DataViewSchema outputSchema)
        {
            Host.CheckValue(ctx, nameof(ctx));
            if (!ctx.ContainsColumn(featureColumn.Name))
            {
                throw Host.Except($"The feature column '{featureColumn.Name}' has no ONNX variable: the pipeline step that makes it " +
                    "cannot be exported to ONNX, so neither can the BN-MLP that reads it.");
            }
            string outputLayer = BnMlpOnnxGraph.AddNetwork(ctx, Model, ctx.GetVariableName(featureColumn.Name));
            SaveOnnxScores(ctx, outputLayer, outputSchema);
        }

        /// <summary>Adds the nodes that turn the output layer's values [N, outputs] into this transformer's score columns.</summary>
        /// <param name="ctx">The ONNX graph being built.</param>
        /// <param name="outputLayer">The variable holding the output layer's values.</param>
        /// <param name="outputSchema">The scored schema, whose score columns give the variables' types.</param>
        private protected abstract void SaveOnnxScores(OnnxContext ctx, string outputLayer, DataViewSchema outputSchema);

        /// <summary>Declares the ONNX variable of the score column <paramref name="name"/>; later steps and the graph's
        /// outputs find the column under it.</summary>
        private protected static string AddOnnxColumn(OnnxContext ctx, DataViewSchema outputSchema, string name) =>
            ctx.AddIntermediateVariable(outputSchema[name].Type, name);

        /// <summary>The signature and versions of this transformer's zip entry.</summary>
        private protected abstract ModelEntryFormat Format { get; }

        /// <summary>What the model predicts: decides its score columns and how they are computed.</summary>
        internal BnMlpModelKind Kind => Format.Kind;

        private static VersionInfo VersionInfoOf(ModelEntryFormat format) => new(
            modelSignature: format.ModelSignature,
            verWrittenCur: format.CurrentVersion,
            verReadableCur: format.CurrentVersion,
            verWeCanReadBack: format.OldestReadableVersion,
            loaderSignature: format.LoaderSignature,
            // The simple name, so a later build of this assembly still loads the zip.
            loaderAssemblyName: typeof(BnMlpTransformerBase).Assembly.GetName().Name);

        /// <summary>Writes what the derived transformer saves after the shared part.</summary>
        private protected virtual void SaveCore(ModelSaveContext ctx)
        {
        }

        void ICanSaveModel.Save(ModelSaveContext ctx)
        {
            Host.CheckValue(ctx, nameof(ctx));
            ctx.CheckAtModel();
            ctx.SetVersionInfo(VersionInfoOf(Format));

            // *** Binary format ***
            // int: id of the feature column name
            // long, bytes, 32 bytes: the model parameters (ModelParametersFormat) and their SHA-256
            // then what the derived transformer saves
            ctx.SaveNonEmptyString(FeatureColumnName);
            ModelParametersFormat.Write(ctx.Writer, Model);
            SaveCore(ctx);
        }

        /// <summary>Reads the shared part of a zip entry written by <see cref="ICanSaveModel.Save"/>, after saying in our
        /// own words what is wrong with a foreign or too new entry (ML.NET would say "Unknown file type" or "too new").</summary>
        /// <param name="ctx">The load context.</param>
        /// <param name="format">The format of the transformer being loaded.</param>
        private protected static (string FeatureColumnName, BnMlpModelParameters Model) LoadCore(ModelLoadContext ctx, ModelEntryFormat format)
        {
            var header = ctx.Header;
            if (header.ModelSignature != format.SignatureValue)
            {
                string found = Encoding.ASCII.GetString(System.BitConverter.GetBytes(header.ModelSignature)).TrimEnd('\0');
                throw new InvalidDataException($"The model entry for '{format.LoaderSignature}' is not a BN-MLP model: its signature is '{found}', expected '{format.ModelSignature}'.");
            }
            format.CheckVersion(header.ModelVerWritten, header.ModelVerReadable);
            ctx.CheckAtModel(VersionInfoOf(format));
            string featureColumnName = ctx.LoadNonEmptyString();
            var model = ModelParametersFormat.Read(ctx.Reader, format.HasInputBatchNorm(header.ModelVerWritten), format.HasInputScaling(header.ModelVerWritten),
                format.HasInputEncoding(header.ModelVerWritten));
            format.CheckOutputCount(model);
            return (featureColumnName, model);
        }
    }
}
