using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Weft.Identity;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// A pod's tunnel listener for tests: 127.0.0.1:0 accepting into one <see cref="HboneInbound"/>,
/// with a pod identity from the test CA, counters on a test-owned meter and every log event kept.
/// The pod's addresses are 10.0.0.7 and fd00::7 (never dialled: handlers map them to loopback).
/// </summary>
internal sealed class InboundServer : IAsyncDisposable
{
    public const string Handshakes = "weft.hbone.handshakes";
    public const string Refusals = "weft.hbone.refusals";
    public static readonly IPAddress PodAddress = IPAddress.Parse("10.0.0.7");
    public static readonly IPAddress PodAddressV6 = IPAddress.Parse("fd00::7");

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<Task> serving = new();
    private readonly Channel<IPEndPoint> served = Channel.CreateUnbounded<IPEndPoint>();
    private readonly Task acceptLoop;
    private int certificateFetches;

    public InboundServer(TestMeshCa ca, Func<HboneRequest, CancellationToken, Task>? handler = null, HboneOptions? options = null, ILogger? output = null, HandshakeLimit? handshakes = null)
    {
        Ca = ca;
        Identity = ca.Id("shop", "backend");
        Certificate = ca.Issue(Identity);
        Log = new RecordingLogger(output);
        var settings = new HboneInboundSettings
        {
            Certificate = _ =>
            {
                Interlocked.Increment(ref certificateFetches);
                return CertificateUnavailable is { } e ? ValueTask.FromException<WorkloadCertificate>(e) : ValueTask.FromResult(Certificate);
            },
            TrustDomain = ca.TrustDomain,
            IsLocalAddress = a => a.Equals(PodAddress) || a.Equals(PodAddressV6),
            Handler = handler ?? EchoAsync,
            Handshakes = handshakes,
        };
        Inbound = new HboneInbound(settings, options ?? new HboneOptions(), new HboneMetrics(Metrics.Meter), Log);
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    public TestMeshCa Ca { get; }

    public SpiffeId Identity { get; }

    /// <summary>The pod's current certificate: replace it to rotate.</summary>
    public WorkloadCertificate Certificate { get; set; }

    /// <summary>When set, fetching the pod's certificate fails with it (the CA is unreachable, say).</summary>
    public Exception? CertificateUnavailable { get; set; }

    public int CertificateFetches => Volatile.Read(ref certificateFetches);

    public MetricsProbe Metrics { get; } = new();

    public RecordingLogger Log { get; }

    public HboneInbound Inbound { get; }

    public IPEndPoint EndPoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>The authority of the pod's address with <paramref name="port"/>.</summary>
    public static string Authority(int port, bool v6 = false) => v6 ? $"[{PodAddressV6}]:{port}" : $"{PodAddress}:{port}";

    /// <summary>Accepts the CONNECT and echoes everything until the client half-closes.</summary>
    public static async Task EchoAsync(HboneRequest request, CancellationToken cancellationToken)
    {
        await request.AcceptAsync(cancellationToken);
        await Echo.CopyAsync(request.Stream, request.Stream);
        await request.Stream.CompleteWritesAsync(cancellationToken);
    }

    public long HandshakeCount(string result) => Metrics.Sum(Handshakes, ("side", "server"), ("result", result));

    public long RefusalCount(string reason) => Metrics.Sum(Refusals, ("side", "server"), ("reason", reason));

    public Task WaitForHandshakeAsync(string result, long atLeast = 1) => Metrics.WaitForAsync(atLeast, Handshakes, ("side", "server"), ("result", result));

    public Task WaitForRefusalAsync(string reason, long atLeast = 1) => Metrics.WaitForAsync(atLeast, Refusals, ("side", "server"), ("reason", reason));

    /// <summary>The client address of the next connection whose ServeAsync returned.</summary>
    public async Task<IPEndPoint> NextServedAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await served.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Cancels every ServeAsync (GOAWAY and close) and waits for them: none may throw.</summary>
    public async Task StopServingAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await Task.WhenAll(serving).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await StopServingAsync();
        listener.Dispose();
        stop.Dispose();
        Metrics.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(stop.Token);
            socket.NoDelay = true;
            var from = (IPEndPoint)socket.RemoteEndPoint!;
            serving.Enqueue(Task.Run(async () =>
            {
                await Inbound.ServeAsync(socket, stop.Token);
                served.Writer.TryWrite(from);
            }));
        }
    }
}
