using System;
using System.IO;
using Microsoft.ML;

namespace MLNet.BatchNorm
{
    /// <summary>Saving a model so that a failure never costs the file already at the destination.</summary>
    public static class AtomicModelSaving
    {
        /// <summary>
        /// Saves <paramref name="model"/> like <see cref="ModelOperationsCatalog.Save(ITransformer, DataViewSchema, string)"/>,
        /// but into a temporary file in the destination's directory that replaces <paramref name="filePath"/> only once it
        /// is complete and flushed to disk. If saving fails (a component that cannot be saved, a full disk), the file
        /// already at <paramref name="filePath"/> is left as it was and the temporary file is removed.
        /// </summary>
        /// <remarks>ML.NET's own <c>Save(model, schema, path)</c> truncates the destination before writing, so a failure
        /// part-way leaves a damaged or empty file where the previous model was.</remarks>
        public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath) =>
            SaveAtomically(catalog, model, inputSchema, filePath, output => output);

        /// <summary>As above; <paramref name="wrapOutput"/> lets tests put a failing stream between ML.NET and the file.</summary>
        internal static void SaveAtomically(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath,
            Func<Stream, Stream> wrapOutput)
        {
            ArgumentNullException.ThrowIfNull(catalog);
            ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
            string destination = Path.GetFullPath(filePath);
            string temporary = Path.Combine(Path.GetDirectoryName(destination), $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                using (var output = wrapOutput(file))
                    catalog.Save(model, inputSchema, output); // closes the stream when done
                using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
                    written.Flush(flushToDisk: true); // on disk before it replaces anything
                File.Move(temporary, destination, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // The original failure matters more than a leftover temporary file.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
