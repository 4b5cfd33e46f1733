using System.Net;
using System.Net.Sockets;
using Weft.Lab;
using Weft.Platform.Netns;
using Weft.Platform.Sockets;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests.Support;

/// <summary>
/// One test's world: a lab (nodes, pods), the BpfCapture instances started on its nodes, the
/// test's own sockets inside pod namespaces (made through a NetnsExecutor, as the agent does).
/// Dispose closes the sockets, detaches and unpins every capture, then removes the lab.
/// </summary>
internal sealed class CaptureLab : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private readonly List<IDisposable> owned = [];
    private readonly Dictionary<LabPod, NetworkNamespace> namespaces = [];
    private bool disposed;

    private CaptureLab(Weft.Lab.Lab lab)
    {
        Lab = lab;
        Executor = new NetnsExecutor();
    }

    public Weft.Lab.Lab Lab { get; }

    public NetnsExecutor Executor { get; }

    public TestLogger Log { get; } = new();

    /// <summary>Node name for the capture's pins: unique per lab, so tests (and agents) never share /sys/fs/bpf/weft/&lt;node&gt;.</summary>
    public string CaptureNode(string suffix = "") => $"cap-{Lab.Id}{suffix}";

    public static CaptureLab Create(string tag) => new(Weft.Lab.Lab.Create(tag));

    public LabNode AddNode(string name) => Lab.AddNode(name);

    public LabPod AddPod(LabNode node, string name, string address) => Lab.AddPod(node, name, IPAddress.Parse(address));

    public CaptureOptions Options(LabNode node, string suffix = "") =>
        new() { ObjectPath = RepoPaths.BpfObject, Node = CaptureNode(suffix), CgroupRoot = node.CgroupPath };

    /// <summary>Starts capture on the node's cgroup; disposed with the lab at the latest.</summary>
    public BpfCapture StartCapture(LabNode node, string suffix = "") => Own(BpfCapture.Start(Options(node, suffix), Log));

    public T Own<T>(T item)
        where T : IDisposable
    {
        lock (gate)
        {
            owned.Add(item);
        }

        return item;
    }

    public NetworkNamespace Netns(LabPod pod)
    {
        lock (gate)
        {
            if (!namespaces.TryGetValue(pod, out var ns))
            {
                ns = NetworkNamespace.Open(pod.NetnsPath);
                namespaces[pod] = ns;
            }

            return ns;
        }
    }

    /// <summary>The pod's network namespace cookie, as the eBPF programs see it.</summary>
    public Task<ulong> CookieAsync(LabPod pod) =>
        Executor.RunAsync(Netns(pod), () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            return SocketOptions.GetNetnsCookie(s);
        });

    /// <summary>Enrols the pod in <paramref name="capture"/> and returns its cookie.</summary>
    public async Task<ulong> EnrollAsync(BpfCapture capture, LabPod pod, uint podId = 1)
    {
        var cookie = await CookieAsync(pod);
        capture.Enroll(cookie, podId);
        return cookie;
    }

    /// <summary>A listening socket bound inside the pod's namespace (the test plays the agent).</summary>
    public async Task<Socket> ListenAsync(LabPod pod, IPEndPoint endpoint) =>
        Own(await Executor.RunAsync(Netns(pod), () =>
        {
            var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                s.Bind(endpoint);
                s.Listen(64);
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }));

    /// <summary>An unconnected TCP socket created inside the pod's namespace, optionally bound.</summary>
    public async Task<Socket> SocketAsync(LabPod pod, AddressFamily family, IPEndPoint? bindTo = null) =>
        Own(await Executor.RunAsync(Netns(pod), () =>
        {
            var s = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (bindTo is not null)
                {
                    s.Bind(bindTo);
                }

                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }));

    /// <summary>
    /// Accepts the next connection; fails with what the application reported if it finished
    /// first (its connection went elsewhere), or after <see cref="Wait"/>.
    /// </summary>
    public async Task<Socket> AcceptAsync(Socket listener, Task<ProbeResult>? app = null)
    {
        using var cts = new CancellationTokenSource(Wait);
        var accept = listener.AcceptAsync(cts.Token).AsTask();
        if (app is not null && await Task.WhenAny(accept, app) == app)
        {
            // The app may finish just before accept completes (e.g. an immediate reset); give it a moment.
            await Task.WhenAny(accept, Task.Delay(500));
            if (!accept.IsCompleted)
            {
                await cts.CancelAsync();
                Assert.Fail($"nothing arrived on {listener.LocalEndPoint}; the application finished with {Describe(app)}");
            }
        }

        try
        {
            return Own(await accept);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"nothing arrived on {listener.LocalEndPoint} within {Wait.TotalSeconds} s");
        }
    }

    /// <summary>True if a connection is waiting to be accepted.</summary>
    public static bool HasPending(Socket listener) => listener.Poll(0, SelectMode.SelectRead);

    public void Dispose()
    {
        IDisposable[] items;
        NetworkNamespace[] nss;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            items = [.. owned];
            nss = [.. namespaces.Values];
        }

        List<Exception> errors = [];
        foreach (var item in items.Reverse())
        {
            Try(item.Dispose, errors);
        }

        Try(Executor.Dispose, errors);
        foreach (var ns in nss)
        {
            Try(ns.Dispose, errors);
        }

        Try(Lab.Dispose, errors);
        if (errors.Count > 0)
        {
            throw new AggregateException("disposing the capture lab", errors);
        }
    }

    private static string Describe(Task<ProbeResult> app) =>
        app.Status == TaskStatus.RanToCompletion ? app.Result.ToJson() : app.Exception?.GetBaseException().Message ?? app.Status.ToString();

    private static void Try(Action action, List<Exception> errors)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            errors.Add(e);
        }
    }
}
