using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Reads each training row's target from the label column: the 0-based class of a key label (int64 tensor), 0 or 1 for
    /// a Boolean label (float32 tensor), or the value of a float label (float32 tensor), into rows 0 .. capacity - 1 of a
    /// buffer that can be refilled (a window of streamed rows). Rows whose label is missing (key 0, NaN) are skipped, as
    /// ML.NET's trainers skip them; a Boolean is never missing.
    /// </summary>
    internal abstract class TargetReader
    {
        public static TargetReader Create(IExceptionContext ectx, TrainingSchema schema, long capacity) => schema.Kind switch
        {
            BnMlpModelKind.Multiclass => new ClassReader(schema, capacity),
            BnMlpModelKind.Binary => new BooleanReader(schema.Label.Name, capacity),
            _ => new ValueReader(ectx, schema.Label.Name, capacity),
        };

        /// <summary>Reads the label of <paramref name="cursor"/>'s rows from now on.</summary>
        public abstract void Bind(DataViewRowCursor cursor, DataViewSchema.Column label);

        /// <summary>Stores the current row's target as row <paramref name="row"/>; false when its label is missing.</summary>
        public abstract bool TryRead(long row, long position);

        /// <summary>Checks the targets read so far (all rows, once they have all been read), before training.</summary>
        public abstract void Check(IExceptionContext ectx, IChannel ch);

        /// <summary>Rows 0 .. <paramref name="rows"/> - 1, as a tensor of their own.</summary>
        public abstract Tensor ToTensor(long rows);

        private sealed class ClassReader(TrainingSchema schema, long capacity) : TargetReader
        {
            private readonly long[] _classes = new long[capacity];
            private readonly bool[] _classSeen = new bool[schema.OutputCount];
            private ValueGetter<uint> _getKey;
            private uint _key;

            public override void Bind(DataViewRowCursor cursor, DataViewSchema.Column label) => _getKey = cursor.GetGetter<uint>(label);

            public override bool TryRead(long row, long position)
            {
                _getKey(ref _key);
                if (_key == 0)
                    return false;
                _classes[row] = _key - 1;
                _classSeen[_key - 1] = true;
                return true;
            }

            public override void Check(IExceptionContext ectx, IChannel ch)
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

        private sealed class BooleanReader(string label, long capacity) : TargetReader
        {
            private readonly float[] _values = new float[capacity];
            private ValueGetter<bool> _getValue;
            private bool _value;
            private long _trueCount;
            private long _falseCount;

            public override void Bind(DataViewRowCursor cursor, DataViewSchema.Column column) => _getValue = cursor.GetGetter<bool>(column);

            public override bool TryRead(long row, long position)
            {
                _getValue(ref _value);
                _values[row] = _value ? 1 : 0;
                if (_value)
                    _trueCount++;
                else
                    _falseCount++;
                return true;
            }

            public override void Check(IExceptionContext ectx, IChannel ch)
            {
                if (_trueCount == 0 || _falseCount == 0)
                    throw ectx.Except($"Label column '{label}' is {(_trueCount == 0 ? "false" : "true")} in every row of the training data; a classifier needs both classes.");
            }

            public override Tensor ToTensor(long rows) => tensor(_values.AsSpan(0, (int)rows).ToArray(), [rows]);
        }

        private sealed class ValueReader(IExceptionContext ectx, string label, long capacity) : TargetReader
        {
            private readonly float[] _values = new float[capacity];
            private ValueGetter<float> _getValue;
            private float _value;

            public override void Bind(DataViewRowCursor cursor, DataViewSchema.Column column) => _getValue = cursor.GetGetter<float>(column);

            public override bool TryRead(long row, long position)
            {
                _getValue(ref _value);
                if (float.IsNaN(_value))
                    return false;
                if (float.IsInfinity(_value))
                    throw ectx.Except($"Label column '{label}', row {position}: found {_value}; regression labels must be finite.");
                _values[row] = _value;
                return true;
            }

            public override void Check(IExceptionContext ectx, IChannel ch)
            {
            }

            public override Tensor ToTensor(long rows) => tensor(_values.AsSpan(0, (int)rows).ToArray(), [rows]);
        }
    }
}
