using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// The data sets of a suite manifest (<c>suite.json</c>, as in the repository's data/tabular/): per set the CSV file,
    /// task, label column, classes, positive class and every column's kind and number of missing values.
    /// </summary>
    public sealed class TabularSuite
    {
        /// <summary>The manifest's file name.</summary>
        public const string ManifestFileName = "suite.json";

        private TabularSuite(string directory, IReadOnlyList<TabularDataset> dataSets)
        {
            Directory = directory;
            DataSets = dataSets;
        }

        /// <summary>The folder holding the manifest and the CSV files.</summary>
        public string Directory { get; }

        /// <summary>The data sets, in manifest order.</summary>
        public IReadOnlyList<TabularDataset> DataSets { get; }

        /// <summary>The data set called <paramref name="name"/> (case-insensitive).</summary>
        /// <exception cref="KeyNotFoundException">No such data set; the message lists the names.</exception>
        public TabularDataset this[string name] =>
            DataSets.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new KeyNotFoundException($"No data set '{name}' in {System.IO.Path.Combine(Directory, ManifestFileName)}; it has {string.Join(", ", DataSets.Select(d => d.Name))}.");

        /// <summary>Reads <c>suite.json</c> in <paramref name="directory"/>.</summary>
        /// <exception cref="FileNotFoundException">There is no manifest.</exception>
        /// <exception cref="InvalidDataException">The manifest is malformed; the message names the set and field.</exception>
        public static TabularSuite Load(string directory)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(directory);
            string path = System.IO.Path.Combine(directory, ManifestFileName);
            if (!File.Exists(path))
                throw new FileNotFoundException($"No tabular suite manifest at {path}.", path);
            Manifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} is not a valid suite manifest: {e.Message}", e);
            }
            if (manifest?.Sets is not { Length: > 0 })
                throw new InvalidDataException($"{path} lists no data sets (expected a non-empty \"sets\" array).");
            return new TabularSuite(directory, manifest.Sets.Select(s => ToDataset(s, directory, path)).ToArray());
        }

        /// <summary>Finds data/tabular/suite.json in <paramref name="startDirectory"/> or the nearest of its parents
        /// (e.g. from a build output folder up to the repository) and loads it.</summary>
        /// <exception cref="FileNotFoundException">No parent has data/tabular/suite.json.</exception>
        public static TabularSuite LoadFromRepository(string startDirectory = null)
        {
            string start = startDirectory ?? AppContext.BaseDirectory;
            for (var folder = new DirectoryInfo(start); folder != null; folder = folder.Parent)
            {
                string candidate = System.IO.Path.Combine(folder.FullName, "data", "tabular");
                if (File.Exists(System.IO.Path.Combine(candidate, ManifestFileName)))
                    return Load(candidate);
            }
            throw new FileNotFoundException($"No data/tabular/{ManifestFileName} in {start} or any folder above it.");
        }

        private static TabularDataset ToDataset(ManifestSet set, string directory, string path)
        {
            string where = $"{path}, set '{set.Name}'";
            if (string.IsNullOrWhiteSpace(set.Name) || string.IsNullOrWhiteSpace(set.File) || string.IsNullOrWhiteSpace(set.Label))
                throw new InvalidDataException($"{where}: every set needs \"name\", \"file\" and \"label\".");
            var task = set.Task switch
            {
                "binary" => TabularTask.BinaryClassification,
                "multiclass" => TabularTask.MulticlassClassification,
                "regression" => TabularTask.Regression,
                _ => throw new InvalidDataException($"{where}: \"task\" is binary, multiclass or regression, not '{set.Task}'."),
            };
            var columns = (set.Columns ?? []).Select(c => new TabularColumn(c.Name, c.Type switch
            {
                "numeric" => TabularColumnKind.Numeric,
                "categorical" => TabularColumnKind.Categorical,
                _ => throw new InvalidDataException($"{where}: column '{c.Name}' has \"type\" '{c.Type}'; expected numeric or categorical."),
            }, c.Missing)).ToArray();
            try
            {
                return new TabularDataset(set.Name, System.IO.Path.Combine(directory, set.File), task, set.Label, columns, set.Classes, set.PositiveClass);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{where}: {e.Message}", e);
            }
        }

        private sealed class Manifest
        {
            public ManifestSet[] Sets { get; set; }
        }

        private sealed class ManifestSet
        {
            public string Name { get; set; }
            public string File { get; set; }
            public string Task { get; set; }
            public string Label { get; set; }
            public string PositiveClass { get; set; }
            public string[] Classes { get; set; }
            public ManifestColumn[] Columns { get; set; }
        }

        private sealed class ManifestColumn
        {
            public string Name { get; set; }
            public string Type { get; set; }
            public int Missing { get; set; }
        }
    }
}
