using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Reads the BN-MLP out of a saved ML.NET model zip without loading the rest of the pipeline: for a process that
    /// must answer its first request fast (a cold start) and feeds the features itself, with <see cref="BnMlpPredictor"/>.
    /// <c>mlContext.Model.Load</c> builds ML.NET's component catalog and every transformer of the chain first.
    /// </summary>
    public static class BnMlpModelFile
    {
        /// <summary>Loads the (first) BN-MLP classifier or regressor saved in the zip at <paramref name="path"/>.</summary>
        /// <param name="env">The ML.NET context.</param>
        /// <param name="path">A zip written by <c>mlContext.Model.Save</c> (or <c>SaveAtomically</c>).</param>
        /// <exception cref="InvalidDataException">The zip holds no BN-MLP, or its BN-MLP is damaged.</exception>
        public static BnMlpTransformerBase Load(MLContext env, string path)
        {
            System.ArgumentNullException.ThrowIfNull(env);
            using var file = File.OpenRead(path);
            // The zip's own directory says where the model entries are; the repository reads them.
            string[] modelDirectories;
            using (var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true))
            {
                modelDirectories = zip.Entries.Where(e => e.Name == ModelLoadContext.ModelStreamName)
                    .Select(e => e.FullName.Length == e.Name.Length ? "" : e.FullName[..^(e.Name.Length + 1)]).ToArray();
            }
            file.Position = 0;
            using var repository = RepositoryReader.Open(file, env);
            foreach (string directory in modelDirectories)
            {
                using var ctx = new ModelLoadContext(repository, repository.OpenEntry(directory, ModelLoadContext.ModelStreamName), directory);
                if (BnMlpMulticlassTransformer.Reads(ctx.Header))
                    return BnMlpMulticlassTransformer.Create(env, ctx);
                if (BnMlpRegressionTransformer.Reads(ctx.Header))
                    return BnMlpRegressionTransformer.Create(env, ctx);
            }
            throw new InvalidDataException($"'{path}' holds no BN-MLP model.");
        }
    }
}
