using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>A failed save never costs the model file already on disk (when saved with SaveAtomically).</summary>
    public sealed class SaveTests
    {
        private sealed class Unsavable
        {
            public float Extra { get; set; }
        }

        private static readonly MLContext Ml = new(seed: 1);
        private static readonly IDataView Data = TestData.BlobView(Ml, rows: 300, classes: 3, seed: 2);
        private static readonly ITransformer Model =
            TestData.Pipeline(Ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2 }).Fit(Data);

        // A custom mapping without a registered contract name: ML.NET throws part-way through writing the zip.
        private static readonly ITransformer FailsWhileSaving = Model.Append(
            Ml.Transforms.CustomMapping<Digit, Unsavable>((input, output) => output.Extra = input.Features[0], contractName: null).Fit(Data));

        [Fact]
        public void PlainSaveThatFailsPartWayDamagesTheExistingFile()
        {
            // Documents why SaveAtomically exists: ML.NET truncates the destination first.
            string path = ExistingModelFile(out byte[] before);
            AssertCannotSaveTheCustomMapping(() => Ml.Model.Save(FailsWhileSaving, Data.Schema, path));
            Assert.NotEqual(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void AtomicSaveThatFailsPartWayLeavesTheExistingFileAndNoTemporaryFile()
        {
            string path = ExistingModelFile(out byte[] before);
            AssertCannotSaveTheCustomMapping(() => Ml.Model.SaveAtomically(FailsWhileSaving, Data.Schema, path));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)));
        }

        [Fact]
        public void AtomicSaveOnAFullDiskLeavesTheExistingFileAndNoTemporaryFile()
        {
            string path = ExistingModelFile(out byte[] before);
            var error = Assert.Throws<IOException>(() => AtomicModelSaving.SaveAtomically(Ml.Model, Model, Data.Schema, path,
                output => new DiskFullStream(output, capacity: before.Length / 2)));
            Assert.Contains("No space left", error.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)));
        }

        [Fact]
        public void AtomicSaveReplacesTheFileWithAModelThatLoadsAndScoresTheSame()
        {
            string path = ExistingModelFile(out byte[] before);
            var other = TestData.Pipeline(Ml, new BnMlpTrainer.Options { HiddenLayerSizes = [6], NumberOfEpochs = 1 }).Fit(Data);
            Ml.Model.SaveAtomically(other, Data.Schema, path);
            Assert.NotEqual(before, File.ReadAllBytes(path));
            var loaded = Ml.Model.Load(path, out _);
            Assert.Equal(TestData.Scores(other.Transform(Data)), TestData.Scores(loaded.Transform(Data)));
        }

        /// <summary>The save failed for the reason the test set up (the custom mapping), not for another.</summary>
        private static void AssertCannotSaveTheCustomMapping(Action save)
        {
            var error = Assert.Throws<InvalidOperationException>(save);
            Assert.StartsWith("Empty contract name for a transform", error.Message);
        }

        private static string ExistingModelFile(out byte[] content)
        {
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-save").FullName, "model.zip");
            Ml.Model.Save(Model, Data.Schema, path);
            content = File.ReadAllBytes(path);
            return path;
        }

        /// <summary>Accepts <c>capacity</c> bytes, then fails as a full disk does.</summary>
        private sealed class DiskFullStream(Stream inner, long capacity) : Stream
        {
            private long _written;

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _written; set => throw new NotSupportedException(); }
            public override void Flush() => inner.Flush();
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (_written + count > capacity)
                    throw new IOException("No space left on device");
                inner.Write(buffer, offset, count);
                _written += count;
            }
        }
    }
}
