using System.Buffers;
using System.Globalization;
using System.Text;

namespace Weft.Telemetry.Prometheus;

/// <summary>
/// Appends the pieces of the Prometheus text format as UTF-8 to one buffer that is kept and reused from
/// scrape to scrape, so a steady scrape allocates nothing for its body.
/// </summary>
internal sealed class PrometheusTextWriter
{
    private static readonly SearchValues<char> HelpSpecials = SearchValues.Create("\\\n");
    private static readonly SearchValues<char> LabelValueSpecials = SearchValues.Create("\\\"\n");

    // Long enough for any double ("-1.7976931348623157E+308") or long in invariant form.
    private const int NumberMaxBytes = 32;

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void Reset() => _buffer.ResetWrittenCount();

    public void Append(char ascii)
    {
        _buffer.GetSpan(1)[0] = (byte)ascii;
        _buffer.Advance(1);
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var written = Encoding.UTF8.GetBytes(text, _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        _buffer.Advance(written);
    }

    /// <summary>HELP text: backslash and newline escaped (quotes are literal there).</summary>
    public void AppendHelp(string text) => AppendEscaped(text, HelpSpecials);

    /// <summary>A label value: backslash, double quote and newline escaped.</summary>
    public void AppendLabelValue(string text) => AppendEscaped(text, LabelValueSpecials);

    /// <summary>A double as Prometheus spells it: +Inf, -Inf, NaN, otherwise the shortest round-trip invariant form.</summary>
    public void AppendDouble(double value)
    {
        if (double.IsNaN(value))
        {
            Append("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            Append("-Inf");
        }
        else
        {
            value.TryFormat(_buffer.GetSpan(NumberMaxBytes), out var written, default, CultureInfo.InvariantCulture);
            _buffer.Advance(written);
        }
    }

    public void AppendLong(long value)
    {
        value.TryFormat(_buffer.GetSpan(NumberMaxBytes), out var written, default, CultureInfo.InvariantCulture);
        _buffer.Advance(written);
    }

    private void AppendEscaped(ReadOnlySpan<char> text, SearchValues<char> specials)
    {
        while (true)
        {
            var at = text.IndexOfAny(specials);
            if (at < 0)
            {
                Append(text);
                return;
            }

            Append(text[..at]);
            Append(text[at] switch
            {
                '\n' => "\\n",
                '"' => "\\\"",
                _ => "\\\\",
            });
            text = text[(at + 1)..];
        }
    }
}
