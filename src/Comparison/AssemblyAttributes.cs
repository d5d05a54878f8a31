// A search stops a trial inside ML.NET's trainers through MLContext.CancelExecution, which ML.NET keeps internal (its
// Microsoft.ML.Experimental package exposes it); see build/MLNetInternals.targets. The attribute type is defined in
// MLNet.BatchNorm.Transforms.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
