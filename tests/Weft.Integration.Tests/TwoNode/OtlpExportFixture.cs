using Weft.Tests.Shared.Otlp;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// Agents that export over OTLP/HTTP (protobuf) to a receiver the test runs: metrics every second
/// and every trace (sampling 1), so a test sees its own connection's spans within seconds. The
/// collector URL has a path (/otlp, as behind a gateway), under which each signal must get its own.
/// </summary>
public sealed class OtlpExportFixture : TwoNodeFixture
{
    internal OtlpReceiver Receiver { get; } = OtlpReceiver.Start("/otlp/");

    protected override string? TelemetryYaml =>
        $"  otlp: {{ endpoint: \"{Receiver.Endpoint}\", protocol: http/protobuf, interval: 1s }}\n  tracing: {{ sampling: 1 }}";

    public override async Task DisposeAsync()
    {
        // The agents first, so none is still exporting into a closed port.
        await base.DisposeAsync().ConfigureAwait(false);
        await Receiver.DisposeAsync().ConfigureAwait(false);
    }
}
