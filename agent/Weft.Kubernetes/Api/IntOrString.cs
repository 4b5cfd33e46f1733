using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Weft.Kubernetes.Api;

/// <summary>A field the API sends as either a JSON number or a string (a service's targetPort).</summary>
[JsonConverter(typeof(IntOrStringConverter))]
public sealed record IntOrString(string Value)
{
    public static IntOrString From(int number) => new(number.ToString(CultureInfo.InvariantCulture));

    /// <summary>The value as a number, when it is one.</summary>
    public int? Number => int.TryParse(Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

public sealed class IntOrStringConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => IntOrString.From(reader.GetInt32()),
        JsonTokenType.String => new IntOrString(reader.GetString()!),
        var other => throw new JsonException($"expected a number or a string, not {other}"),
    };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Number is { } n)
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue(value.Value);
        }
    }
}
