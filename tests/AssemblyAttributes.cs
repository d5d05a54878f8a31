[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
// Tests share one MLContext per test and a few native-memory measurements: run them one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
