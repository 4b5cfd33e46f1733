using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Weft.Identity;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// What every client pool test needs: a mesh CA, a client identity and certificate, counters on
/// a meter of the test's own (recorded by a MeterListener), and destinations dialling loopback.
/// </summary>
internal sealed class PoolTestKit : IDisposable
{
    private readonly Meter meter = new($"weft.test.{Guid.NewGuid():N}");
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, Dictionary<string, string?> Tags)> measurements = new();

    public PoolTestKit()
    {
        Metrics = new HboneMetrics(meter);
        ClientId = Ca.Id("shop", "web");
        ServerId = Ca.Id("shop", "api");
        ClientCertificate = Ca.Issue(ClientId);
        ServerCertificate = Ca.Issue(ServerId);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, string?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            for (var i = 0; i < value; i++)
            {
                measurements.Enqueue((instrument.Name, copy));
            }
        });
        listener.Start();
    }

    public TestMeshCa Ca { get; } = new();

    public HboneMetrics Metrics { get; }

    public SpiffeId ClientId { get; }

    public SpiffeId ServerId { get; }

    public WorkloadCertificate ClientCertificate { get; }

    public WorkloadCertificate ServerCertificate { get; }

    public RecordingLogger Log { get; } = new();

    public static Func<IPEndPoint, CancellationToken, ValueTask<Socket>> Loopback { get; } = DialAsync;

    public HboneClientPool Pool(HboneOptions? options = null, TimeProvider? time = null) =>
        new(options ?? new HboneOptions(), Metrics, Log, time);

    public HboneDestination Destination(IPEndPoint tunnel, int targetPort = 8080, string sourceKey = "pod-web-1") => new()
    {
        SourceKey = sourceKey,
        SourceCertificate = ClientCertificate,
        DestinationIdentity = ServerId,
        TunnelAddress = tunnel,
        Target = new IPEndPoint(IPAddress.Parse("10.44.0.7"), targetPort),
        Source = new IPEndPoint(IPAddress.Parse("10.44.1.9"), 40123),
        Dial = Loopback,
    };

    /// <summary>Measurements of <paramref name="instrument"/> whose tags include all of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        measurements.Count(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    public int Handshakes(string result) => Count("weft.hbone.handshakes", ("side", "client"), ("result", result));

    public int Refusals(string reason) => Count("weft.hbone.refusals", ("side", "client"), ("reason", reason));

    /// <summary>Sends <paramref name="text"/> through the tunnel, half-closes, and checks the echo.</summary>
    public static async Task EchoAsync(HboneTunnel tunnel, string text = "through the tunnel")
    {
        await tunnel.Stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await tunnel.Stream.CompleteWritesAsync();
        var echoed = await Echo.ReadAllAsync(tunnel.Stream).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(text, Encoding.ASCII.GetString(echoed));
    }

    /// <summary>Waits for a condition nothing signals (a connection leaving the pool on its own), checking every 10 ms.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"not within 10 s: {what}");
            }
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        meter.Dispose();
        Ca.Dispose();
    }

    private static async ValueTask<Socket> DialAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
