using System;

namespace MLNet.BatchNorm
{
    internal static class ModelChecks
    {
        public static void CheckFinite(ReadOnlySpan<float> values, string name)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                    throw new ArgumentException($"Value {i} is {values[i]}; model parameters must be finite.", name);
            }
        }
    }
}
