// MLContext.CancelExecution(), which stops a running Fit from another thread, is internal to Microsoft.ML.Data (public
// only through the separate Microsoft.ML.Experimental package); see build/MLNetInternals.targets. The attribute type is
// defined in MLNet.BatchNorm.Transforms.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
