using Google.Protobuf;

namespace Weft.Tests.Shared.Otlp;

/// <summary>
/// One field of a protobuf message, read without its schema: a scalar (varint, fixed32, fixed64)
/// or the bytes of a length-delimited field (a string, bytes, or a nested message).
/// </summary>
internal readonly record struct ProtoField(int Number, WireFormat.WireType WireType, ulong Scalar, ByteString Bytes)
{
    public string Text => Bytes.ToStringUtf8();

    public string Hex => Convert.ToHexStringLower(Bytes.Span);
}

/// <summary>
/// Walks a protobuf message field by field with <see cref="CodedInputStream"/>. The receiver
/// decodes OTLP this way, by the field numbers of opentelemetry-proto, so the test checks the
/// agent's bytes against the wire format and not against generated code from the same source.
/// </summary>
internal static class ProtoFields
{
    public static List<ProtoField> Read(ByteString message)
    {
        var input = message.CreateCodedInput();
        var fields = new List<ProtoField>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            switch (type)
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new ProtoField(number, type, input.ReadUInt64(), ByteString.Empty));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new ProtoField(number, type, input.ReadFixed64(), ByteString.Empty));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new ProtoField(number, type, input.ReadFixed32(), ByteString.Empty));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new ProtoField(number, type, 0, input.ReadBytes()));
                    break;
                default:
                    // Groups are not used by OTLP; skipping keeps the walk going if one ever appears.
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    /// <summary>The nested messages in every occurrence of field <paramref name="number"/> (a repeated message field).</summary>
    public static IEnumerable<ByteString> Messages(this List<ProtoField> fields, int number) =>
        fields.Where(f => f.Number == number && f.WireType == WireFormat.WireType.LengthDelimited).Select(f => f.Bytes);

    /// <summary>The last occurrence of field <paramref name="number"/> (protobuf's rule for a singular field), if any.</summary>
    public static ProtoField? Single(this List<ProtoField> fields, int number) =>
        fields.LastOrDefault(f => f.Number == number) is { Number: > 0 } f ? f : null;
}
