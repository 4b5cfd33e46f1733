using Weft.Tests.Shared.Otlp;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// Agents that export over OTLP to a receiver the test runs: metrics every second and every trace
/// (sampling 1), so a test sees its own connection's spans within seconds.
/// </summary>
public abstract class OtlpExportFixture : TwoNodeFixture
{
    private OtlpCollector? receiver;

    internal OtlpCollector Receiver => receiver ?? throw new InvalidOperationException("the receiver has not started");

    /// <summary>The config's otlp.protocol.</summary>
    protected abstract string Protocol { get; }

    protected override string? TelemetryYaml =>
        $"  otlp: {{ endpoint: \"{Receiver.Endpoint}\", protocol: {Protocol}, interval: 1s }}\n  tracing: {{ sampling: 1 }}";

    public override async Task InitializeAsync()
    {
        receiver = await StartReceiverAsync().ConfigureAwait(false);
        await base.InitializeAsync().ConfigureAwait(false);
    }

    public override async Task DisposeAsync()
    {
        // The agents first, so none is still exporting into a closed port.
        await base.DisposeAsync().ConfigureAwait(false);
        if (receiver is not null)
        {
            await receiver.DisposeAsync().ConfigureAwait(false);
        }
    }

    private protected abstract Task<OtlpCollector> StartReceiverAsync();
}

/// <summary>
/// OTLP/HTTP with protobuf bodies. The collector URL has a path (/otlp, as behind a gateway),
/// under which each signal must get its own.
/// </summary>
public sealed class OtlpHttpExportFixture : OtlpExportFixture
{
    protected override string Protocol => "http/protobuf";

    private protected override Task<OtlpCollector> StartReceiverAsync() => Task.FromResult<OtlpCollector>(OtlpReceiver.Start("/otlp/"));
}

/// <summary>OTLP/gRPC over plaintext HTTP/2, as a collector's port 4317 takes it.</summary>
public sealed class OtlpGrpcExportFixture : OtlpExportFixture
{
    protected override string Protocol => "grpc";

    private protected override async Task<OtlpCollector> StartReceiverAsync() => await OtlpGrpcReceiver.StartAsync().ConfigureAwait(false);
}
