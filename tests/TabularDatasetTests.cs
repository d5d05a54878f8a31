using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.Comparison;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class TabularDatasetTests : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("tabular-").FullName;

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private static readonly TabularColumn[] MixedColumns =
        [
            new("size", TabularColumnKind.Numeric, 1),
            new("colour", TabularColumnKind.Categorical, 1),
            new("weight", TabularColumnKind.Numeric, 0),
            new("kind", TabularColumnKind.Categorical, 0),
        ];

        private TabularDataset Mixed(TabularTask task = TabularTask.BinaryClassification, string[] classes = null, string positive = "yes")
        {
            string path = Path.Combine(_folder, "mixed.csv");
            File.WriteAllText(path, "size,colour,weight,kind\n1,red,10,no\n,blue,20,yes\n5,,30,yes\n3,red,40,no\n");
            return new TabularDataset("Mixed", path, task, "kind", MixedColumns, classes ?? ["no", "yes"], task == TabularTask.BinaryClassification ? positive : null);
        }

        private static (bool Label, float[] Features)[] BinaryRows(IDataView featurized) =>
            featurized.GetColumn<bool>(TabularDataset.LabelColumnName)
                .Zip(featurized.GetColumn<VBuffer<float>>(TabularDataset.FeatureColumnName), (l, f) => (l, f.DenseValues().ToArray())).ToArray();

        [Fact]
        public void MixedColumnsBecomeMeanFilledNumbersMissingIndicatorsAndOneHotCategories()
        {
            var ml = new MLContext(1);
            var data = Mixed();
            var view = data.Load(ml);
            var rows = BinaryRows(data.Featurize(ml).Fit(view).Transform(view));
            // size (mean of 1, 5, 3 = 3 for the missing one), size.missing, colour one-hot (red, blue; missing = zeros), weight.
            Assert.Equal(new[] { false, true, true, false }, rows.Select(r => r.Label));
            Assert.Equal(
                new[]
                {
                    new float[] { 1, 0, 1, 0, 10 },
                    new float[] { 3, 1, 0, 1, 20 },
                    new float[] { 5, 0, 0, 0, 30 },
                    new float[] { 3, 0, 1, 0, 40 },
                },
                rows.Select(r => r.Features));
        }

        [Fact]
        public void TheFeaturizationIsFittedOnTheTrainingRowsOnly()
        {
            var ml = new MLContext(1);
            var data = Mixed();
            var view = data.Load(ml);
            var firstTwo = ml.Data.TakeRows(view, 2);
            var rows = BinaryRows(data.Featurize(ml).Fit(firstTwo).Transform(view));
            // Mean of size over the first two rows is 1; colours seen: red, blue; row 3's missing colour stays all zeros.
            Assert.Equal(new float[] { 1, 1, 0, 1, 20 }, rows[1].Features);
            Assert.Equal(new float[] { 5, 0, 0, 0, 30 }, rows[2].Features);
        }

        [Fact]
        public void TheBinaryLabelIsTrueForThePositiveClass()
        {
            var ml = new MLContext(1);
            var data = Mixed(positive: "no");
            var view = data.Load(ml);
            Assert.Equal(new[] { true, false, false, true }, BinaryRows(data.Featurize(ml).Fit(view).Transform(view)).Select(r => r.Label));
        }

        [Fact]
        public void MulticlassKeysFollowTheDeclaredClassesWhateverTheTrainingRowsHold()
        {
            var ml = new MLContext(1);
            var data = Mixed(TabularTask.MulticlassClassification, ["yes", "maybe", "no"]);
            var view = data.Load(ml);
            var onlyFirstRow = ml.Data.TakeRows(view, 1); // holds only "no"
            var featurized = data.Featurize(ml).Fit(onlyFirstRow).Transform(view);
            var labelType = Assert.IsType<KeyDataViewType>(featurized.Schema[TabularDataset.LabelColumnName].Type);
            Assert.Equal(3UL, labelType.Count);
            Assert.Equal(new uint[] { 3, 1, 1, 3 }, featurized.GetColumn<uint>(TabularDataset.LabelColumnName));
        }

        [Fact]
        public void ARegressionLabelIsCopiedAsANumber()
        {
            var ml = new MLContext(1);
            var data = new TabularDataset("Mixed", Mixed().Path, TabularTask.Regression, "weight", MixedColumns);
            var view = data.Load(ml);
            var featurized = data.Featurize(ml).Fit(view).Transform(view);
            Assert.Equal(new float[] { 10, 20, 30, 40 }, featurized.GetColumn<float>(TabularDataset.LabelColumnName));
            // size, size.missing, colour (2), kind (2): the label is not a feature.
            Assert.Equal(6, featurized.Schema[TabularDataset.FeatureColumnName].Type.GetValueCount());
        }

        [Fact]
        public void AHeaderThatDoesNotMatchTheColumnsIsRejectedWithBoth()
        {
            string path = Path.Combine(_folder, "swapped.csv");
            File.WriteAllText(path, "colour,size,weight,kind\nred,1,10,no\n");
            var data = new TabularDataset("Swapped", path, TabularTask.BinaryClassification, "kind", MixedColumns, ["no", "yes"], "yes");
            var error = Assert.Throws<InvalidDataException>(() => data.Load(new MLContext(1)));
            Assert.Contains("'size,colour,weight,kind'", error.Message);
            Assert.Contains("'colour,size,weight,kind'", error.Message);
        }

        [Fact]
        public void InconsistentDeclarationsAreRejectedNamingTheProblem()
        {
            string path = Path.Combine(_folder, "x.csv");
            Assert.Contains("'maybe' is not one of [no, yes]",
                Assert.Throws<ArgumentException>(() => new TabularDataset("X", path, TabularTask.BinaryClassification, "kind", MixedColumns, ["no", "yes"], "maybe")).Message);
            Assert.Contains("label column 'weight' of a BinaryClassification task must be Categorical",
                Assert.Throws<ArgumentException>(() => new TabularDataset("X", path, TabularTask.BinaryClassification, "weight", MixedColumns, ["no", "yes"], "yes")).Message);
            Assert.Contains("'price' is not among the columns",
                Assert.Throws<ArgumentException>(() => new TabularDataset("X", path, TabularTask.Regression, "price", MixedColumns)).Message);
        }

        [Fact]
        public void AManifestWithAnUnknownTaskNamesTheSetAndTheValue()
        {
            File.WriteAllText(Path.Combine(_folder, TabularSuite.ManifestFileName),
                """{"sets": [{"name": "A", "file": "a.csv", "task": "ranking", "label": "y", "columns": [{"name": "y", "type": "numeric"}]}]}""");
            var error = Assert.Throws<InvalidDataException>(() => TabularSuite.Load(_folder));
            Assert.Contains("set 'A'", error.Message);
            Assert.Contains("not 'ranking'", error.Message);
        }

        public static IEnumerable<object[]> SuiteSets() => TabularSuite.LoadFromRepository().DataSets.Select(d => new object[] { d.Name });

        /// <summary>Each suite CSV loads with its manifest's types and featurizes to one feature per numeric column (two
        /// with missing values) plus one per distinct level of each categorical column, counted here from the file's text.</summary>
        [Theory]
        [MemberData(nameof(SuiteSets))]
        public void EverySuiteSetLoadsAndFeaturizesToTheWidthItsTextImplies(string name)
        {
            var data = TabularSuite.LoadFromRepository()[name];
            var lines = File.ReadAllLines(data.Path).Skip(1).Select(l => l.Split(',')).ToArray();
            int expectedWidth = data.Columns.Select((c, i) => c.Name == data.TargetColumn ? 0
                : c.Kind == TabularColumnKind.Numeric ? (c.MissingCount > 0 ? 2 : 1)
                : lines.Select(l => l[i]).Where(v => v.Length > 0).Distinct().Count()).Sum();

            var ml = new MLContext(1);
            var view = data.Load(ml);
            foreach (var column in data.Columns.Where(c => c.Kind == TabularColumnKind.Numeric))
                Assert.Equal(column.MissingCount, view.GetColumn<float>(column.Name).Count(float.IsNaN));
            var featurized = data.Featurize(ml).Fit(view).Transform(view);
            Assert.Equal(expectedWidth, featurized.Schema[TabularDataset.FeatureColumnName].Type.GetValueCount());
            Assert.Equal(lines.Length, featurized.GetColumn<VBuffer<float>>(TabularDataset.FeatureColumnName).Count(f => f.DenseValues().All(float.IsFinite)));
            var label = featurized.Schema[TabularDataset.LabelColumnName].Type;
            switch (data.Task)
            {
                case TabularTask.BinaryClassification:
                    Assert.Equal(BooleanDataViewType.Instance, label);
                    int positives = featurized.GetColumn<bool>(TabularDataset.LabelColumnName).Count(b => b);
                    int targetIndex = data.Columns.ToList().FindIndex(c => c.Name == data.TargetColumn);
                    Assert.Equal(lines.Count(l => l[targetIndex] == data.PositiveClass), positives);
                    break;
                case TabularTask.MulticlassClassification:
                    Assert.Equal((ulong)data.Classes.Count, Assert.IsType<KeyDataViewType>(label).Count);
                    Assert.DoesNotContain(0u, featurized.GetColumn<uint>(TabularDataset.LabelColumnName));
                    break;
                default:
                    Assert.Equal(NumberDataViewType.Single, label);
                    break;
            }
        }
    }
}
