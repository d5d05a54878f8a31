// The catalog extension reaches the MLContext's environment and the trainer declares its schema through
// ML.NET internals (see build/MLNetInternals.targets); the attribute type is defined in MLNet.BatchNorm.Transforms.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
