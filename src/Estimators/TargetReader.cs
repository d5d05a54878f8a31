using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Reads each training row's target from the label column: the 0-based class of a key label (int64 tensor), or the
    /// value of a float label (float32 tensor). Rows whose label is missing (key 0, NaN) are skipped, as ML.NET's
    /// trainers skip them.
    /// </summary>
    internal abstract class TargetReader
    {
        public static TargetReader Create(IExceptionContext ectx, TrainingSchema schema, DataViewRowCursor cursor, long capacity) =>
            schema.IsClassification
                ? new ClassReader(schema, cursor.GetGetter<uint>(schema.Label), capacity)
                : new ValueReader(ectx, schema.Label.Name, cursor.GetGetter<float>(schema.Label), capacity);

        /// <summary>Stores the current row's target as row <paramref name="row"/>; false when its label is missing.</summary>
        public abstract bool TryRead(long row, long position);

        /// <summary>Checks the targets of the <paramref name="rows"/> rows read, before training.</summary>
        public abstract void Check(IExceptionContext ectx, IChannel ch, long rows);

        public abstract Tensor ToTensor(long rows);

        private sealed class ClassReader(TrainingSchema schema, ValueGetter<uint> getKey, long capacity) : TargetReader
        {
            private readonly long[] _classes = new long[capacity];
            private readonly bool[] _classSeen = new bool[schema.OutputCount];
            private uint _key;

            public override bool TryRead(long row, long position)
            {
                getKey(ref _key);
                if (_key == 0)
                    return false;
                _classes[row] = _key - 1;
                _classSeen[_key - 1] = true;
                return true;
            }

            public override void Check(IExceptionContext ectx, IChannel ch, long rows)
            {
                string label = schema.Label.Name;
                int presentClasses = Array.FindAll(_classSeen, seen => seen).Length;
                if (presentClasses < 2)
                    throw ectx.Except($"Label column '{label}' has only one class in the training data; a classifier needs at least two.");
                if (presentClasses < schema.OutputCount)
                    ch.Warning($"Label column '{label}' has {schema.OutputCount} key values but only {presentClasses} occur in the training data; the others will get low scores.");
            }

            public override Tensor ToTensor(long rows) => tensor(_classes.AsSpan(0, (int)rows).ToArray(), [rows]);
        }

        private sealed class ValueReader(IExceptionContext ectx, string label, ValueGetter<float> getValue, long capacity) : TargetReader
        {
            private readonly float[] _values = new float[capacity];
            private float _value;

            public override bool TryRead(long row, long position)
            {
                getValue(ref _value);
                if (float.IsNaN(_value))
                    return false;
                if (float.IsInfinity(_value))
                    throw ectx.Except($"Label column '{label}', row {position}: found {_value}; regression labels must be finite.");
                _values[row] = _value;
                return true;
            }

            public override void Check(IExceptionContext ectx, IChannel ch, long rows)
            {
            }

            public override Tensor ToTensor(long rows) => tensor(_values.AsSpan(0, (int)rows).ToArray(), [rows]);
        }
    }
}
