using System;
using System.IO;
using Google.Protobuf;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Builds one protocol-buffers message field by field (the few ONNX messages the export needs, without generated
    /// classes). Nested messages are built first and written as length-delimited bytes.
    /// </summary>
    internal sealed class ProtoMessage
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _output;

        public ProtoMessage() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

        public ProtoMessage Int64(int field, long value)
        {
            _output.WriteTag(field, WireFormat.WireType.Varint);
            _output.WriteInt64(value);
            return this;
        }

        public ProtoMessage String(int field, string value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteString(value);
            return this;
        }

        public ProtoMessage Float(int field, float value)
        {
            _output.WriteTag(field, WireFormat.WireType.Fixed32);
            _output.WriteFloat(value);
            return this;
        }

        public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteBytes(ByteString.CopyFrom(value));
            return this;
        }

        public ProtoMessage Message(int field, ProtoMessage value) => Bytes(field, value.ToArray());

        public byte[] ToArray()
        {
            _output.Flush();
            return _buffer.ToArray();
        }
    }
}
