using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>One 28x28 image: pixels scaled to [0, 1] and the digit (or Fashion-MNIST class) it shows.</summary>
    public sealed class Digit
    {
        /// <summary>Number of pixels.</summary>
        public const int PixelCount = 784;

        /// <summary>The pixels, row by row, in [0, 1].</summary>
        [VectorType(PixelCount)]
        public float[] Features { get; set; }

        /// <summary>The class, 0 to 9.</summary>
        public uint Label { get; set; }
    }

    /// <summary>What the pipeline predicts for a row.</summary>
    public sealed class DigitPrediction
    {
        /// <summary>The predicted class (after MapKeyToValue: the original label value).</summary>
        public uint PredictedLabel { get; set; }

        /// <summary>Probability of each class, in key order.</summary>
        public float[] Score { get; set; }
    }

    /// <summary>The data sets the sample runs on.</summary>
    public static class Digits
    {
        /// <summary>Where Debian's dataset-fashion-mnist package puts Fashion-MNIST.</summary>
        public const string FashionDirectory = "/usr/share/datasets/fashion-mnist";

        /// <summary>mnist10k: 8,000 training and 2,000 test digits embedded in this assembly (see data/README.md).</summary>
        public static (Digit[] Train, Digit[] Test) LoadMnist10k() =>
            (ReadSplit(Embedded("train-images-idx3-ubyte.gz"), Embedded("train-labels-idx1-ubyte.gz"), "mnist10k train"),
             ReadSplit(Embedded("t10k-images-idx3-ubyte.gz"), Embedded("t10k-labels-idx1-ubyte.gz"), "mnist10k test"));

        /// <summary>Fashion-MNIST (60,000 / 10,000) from <paramref name="directory"/>.</summary>
        /// <exception cref="FileNotFoundException">The data set is not installed.</exception>
        public static (Digit[] Train, Digit[] Test) LoadFashion(string directory = FashionDirectory) =>
            (ReadSplit(File(directory, "train-images-idx3-ubyte"), File(directory, "train-labels-idx1-ubyte"), "fashion train"),
             ReadSplit(File(directory, "t10k-images-idx3-ubyte"), File(directory, "t10k-labels-idx1-ubyte"), "fashion test"));

        private static Digit[] ReadSplit(Stream images, Stream labels, string name)
        {
            using (images)
            using (labels)
            {
                var (imageDims, pixels) = IdxFile.Read(images, name + " images");
                var (labelDims, classes) = IdxFile.Read(labels, name + " labels");
                if (imageDims.Length != 3 || imageDims[1] * imageDims[2] != Digit.PixelCount || labelDims.Length != 1 || labelDims[0] != imageDims[0])
                    throw new InvalidDataException($"{name}: expected N x 28 x 28 images and N labels, found [{string.Join(", ", imageDims)}] and [{string.Join(", ", labelDims)}].");
                var rows = new Digit[imageDims[0]];
                for (int i = 0; i < rows.Length; i++)
                {
                    var features = new float[Digit.PixelCount];
                    for (int j = 0; j < features.Length; j++)
                        features[j] = pixels[i * Digit.PixelCount + j] / 255f;
                    rows[i] = new Digit { Features = features, Label = classes[i] };
                }
                return rows;
            }
        }

        private static Stream Embedded(string name) =>
            Assembly.GetExecutingAssembly().GetManifestResourceStream("mnist10k/" + name)
            ?? throw new FileNotFoundException($"Embedded resource mnist10k/{name} is missing; rebuild the sample.");

        private static Stream File(string directory, string name)
        {
            foreach (var candidate in new[] { Path.Combine(directory, name + ".gz"), Path.Combine(directory, name) })
            {
                if (System.IO.File.Exists(candidate))
                    return System.IO.File.OpenRead(candidate);
            }
            throw new FileNotFoundException(
                $"Fashion-MNIST not found: no {name}[.gz] in {directory}. Install it with: sudo apt-get install dataset-fashion-mnist");
        }
    }
}
