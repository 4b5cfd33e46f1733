using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Weft.Tests.Shared.Kubernetes;

/// <summary>
/// A stand-in kube-apiserver on 127.0.0.1 that speaks the real wire protocol for namespaces, pods, services and
/// discovery.k8s.io/v1 endpoint slices: paginated LIST, WATCH as chunked JSON lines with bookmarks and timeoutSeconds,
/// a global resourceVersion, an event history that watches resume from, and 410 Gone once that history is expired.
/// Tests drive its failures: dropped watches, a stopped server, expired history.
/// </summary>
internal sealed class StandInApiServer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<StandInResource, SortedDictionary<string, StandInObject>> _objects =
        StandInResource.All.ToDictionary(r => r, _ => new SortedDictionary<string, StandInObject>(StringComparer.Ordinal));
    private readonly List<StandInEvent> _history = [];
    private readonly List<StandInWatch> _watches = [];
    private readonly HashSet<TcpClient> _connections = [];
    private readonly Dictionary<StandInResource, int> _lists = [];
    private readonly Dictionary<StandInResource, int> _pages = [];
    private readonly Dictionary<StandInResource, int> _watchRequests = [];
    private readonly Dictionary<StandInResource, string> _lastWatchVersion = [];
    private readonly Dictionary<StandInResource, List<TimeSpan>> _watchTimes = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly HashSet<StandInResource> _failNextContinue = [];
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;
    private long _expiredBefore;
    private GoneForm _goneForm;
    private int _failRequests;
    private int _failStatus;
    private TcpListener? _listener;
    private CancellationTokenSource? _serving;
    private bool _disposed;

    private readonly X509Certificate2? _tls;

    /// <summary>Starts listening on a free loopback port; with <paramref name="tls"/>, HTTPS with that certificate, asking for a client certificate.</summary>
    public StandInApiServer(X509Certificate2? tls = null)
    {
        _tls = tls;
        var listener = Listen(0);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Serve(listener);
    }

    public int Port { get; }

    /// <summary>
    /// How long a LIST answer's body follows its head. A real API server's answer often arrives in several reads (TLS
    /// records, large lists); a client that reads the body synchronously once the head is in, on a thread whose job is
    /// to deliver socket readiness (the agent runs socket completions inline), waits on itself forever.
    /// </summary>
    public TimeSpan ListBodyDelay { get; set; }

    /// <summary>Exceptions the stand-in itself threw while answering; a test can assert there were none.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Exception> Faults { get; } = new();

    public Uri BaseUri => new($"{(_tls is null ? "http" : "https")}://127.0.0.1:{Port}");

    /// <summary>Over HTTPS, the subject of each connection's client certificate ("" for none).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ClientCertificates { get; } = new();

    /// <summary>The latest resourceVersion handed out.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>Lists begun: list requests without a continue token.</summary>
    public int ListCount<T>() => Count(_lists, typeof(T));

    /// <summary>Every list request, continued pages included.</summary>
    public int PageCount<T>() => Count(_pages, typeof(T));

    /// <summary>Watch requests, whether they were served or answered 410.</summary>
    public int WatchCount<T>() => Count(_watchRequests, typeof(T));

    /// <summary>When each watch request of this kind arrived, as time since the server was made.</summary>
    public IReadOnlyList<TimeSpan> WatchTimes<T>()
    {
        lock (_gate)
        {
            return [.. _watchTimes.GetValueOrDefault(StandInResource.For(typeof(T))) ?? []];
        }
    }

    /// <summary>
    /// Watches send their head, then nothing: no events, no end at timeoutSeconds, the connection held open. What a
    /// client sees when the server, or the path to it, vanished without a FIN or RST.
    /// </summary>
    public bool SilentWatches { get; set; }

    /// <summary>Every watch is answered at once with an empty stream (its head and final chunk), as by a misbehaving server or proxy.</summary>
    public bool EmptyWatches { get; set; }

    /// <summary>The resourceVersion the latest watch request of this kind asked to start from.</summary>
    public string? LastWatchResourceVersion<T>()
    {
        lock (_gate)
        {
            return _lastWatchVersion.GetValueOrDefault(StandInResource.For(typeof(T)));
        }
    }

    /// <summary>Creates or replaces the object (by namespace and name); returns the stored copy with resourceVersion, uid and creationTimestamp set.</summary>
    public T Upsert<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(item);
        var resource = StandInResource.For(typeof(T));
        var copy = KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item));
        copy.Kind ??= resource.Kind;
        copy.ApiVersion ??= resource.ApiVersion;
        copy.Metadata ??= new V1ObjectMeta();
        if (string.IsNullOrEmpty(copy.Metadata.Name))
        {
            throw new ArgumentException("an object needs metadata.name", nameof(item));
        }

        copy.Metadata.NamespaceProperty = resource.Namespaced ? copy.Metadata.NamespaceProperty ?? "default" : null;
        lock (_gate)
        {
            var key = resource.Key(copy);
            var objects = _objects[resource];
            var previous = objects.GetValueOrDefault(key);
            _version++;
            copy.Metadata.ResourceVersion = _version.ToString(CultureInfo.InvariantCulture);
            copy.Metadata.Uid = previous?.Item.Metadata.Uid ?? copy.Metadata.Uid ?? Guid.NewGuid().ToString();
            var now = DateTime.UtcNow;
            copy.Metadata.CreationTimestamp = previous?.Item.Metadata.CreationTimestamp ?? copy.Metadata.CreationTimestamp
                ?? now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
            var stored = new StandInObject(copy, KubernetesJson.Serialize(copy));
            objects[key] = stored;
            Record(new StandInEvent(resource, previous is null ? "ADDED" : "MODIFIED", _version, stored, previous));
            return KubernetesJson.Deserialize<T>(stored.Json);
        }
    }

    /// <summary>Deletes the object; ns is ignored for namespaces. False if there was none.</summary>
    public bool Delete<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = StandInResource.For(typeof(T));
        lock (_gate)
        {
            var key = resource.Key(resource.Namespaced ? ns : null, name);
            if (!_objects[resource].Remove(key, out var previous))
            {
                return false;
            }

            // The DELETED event carries the object's last state at the deletion's resourceVersion.
            _version++;
            var gone = KubernetesJson.Deserialize<T>(previous.Json);
            gone.Metadata.ResourceVersion = _version.ToString(CultureInfo.InvariantCulture);
            Record(new StandInEvent(resource, "DELETED", _version, new StandInObject(gone, KubernetesJson.Serialize(gone)), previous));
            return true;
        }
    }

    /// <summary>
    /// Forgets the history up to now: a watch from an older resourceVersion, or a list continued with an older token, is
    /// answered 410 Expired from now on. <paramref name="form"/> chooses how a watch is told.
    /// </summary>
    public void ExpireHistory(GoneForm form = GoneForm.InStreamError)
    {
        lock (_gate)
        {
            _history.Clear();
            _expiredBefore = _version;
            _goneForm = form;
        }
    }

    /// <summary>The next list request of this kind that carries a continue token is answered 410 Expired, as when the token outlived etcd's compaction.</summary>
    public void FailNextContinue<T>()
    {
        lock (_gate)
        {
            _failNextContinue.Add(StandInResource.For(typeof(T)));
        }
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion on every open watch that allowed bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watch in _watches.Where(w => w.Bookmarks))
            {
                var marker = new JsonObject
                {
                    ["kind"] = watch.Resource.Kind,
                    ["apiVersion"] = watch.Resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                };
                watch.Send(StandInWatch.Line("BOOKMARK", marker.ToJsonString()));
            }
        }
    }

    /// <summary>
    /// Sends an ERROR event carrying a V1Status with this code and reason on every open watch of the kind, then ends
    /// those streams, as kube-apiserver does (410 Expired when a watcher falls behind, 500 on an internal error).
    /// </summary>
    public void SendWatchError<T>(int code, string reason)
    {
        var resource = StandInResource.For(typeof(T));
        lock (_gate)
        {
            foreach (var watch in _watches.Where(w => w.Resource == resource))
            {
                watch.Send(StandInWatch.Line("ERROR", StandInHttp.Status(code, reason, $"stand-in watch error {code} {reason}")));
                watch.End();
            }
        }
    }

    /// <summary>The next <paramref name="count"/> requests of any kind are answered with this HTTP status and a V1Status body (an overloaded or failing API server).</summary>
    public void FailNextRequests(int count, int status)
    {
        lock (_gate)
        {
            _failRequests = count;
            _failStatus = status;
        }
    }

    /// <summary>Cuts every open watch connection mid-stream, without the final chunk; the server stays up.</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watch in _watches)
            {
                watch.Abort();
            }
        }
    }

    /// <summary>API server down: stops listening (connections are refused) and cuts every open connection. State and history are kept.</summary>
    public void Stop()
    {
        TcpListener? listener;
        TcpClient[] connections;
        lock (_gate)
        {
            listener = _listener;
            _listener = null;
            // Cancelled, not disposed: connection tasks still hold its token while they unwind.
            _serving?.Cancel();
            _serving = null;
            foreach (var watch in _watches)
            {
                watch.Abort();
            }

            connections = [.. _connections];
        }

        listener?.Stop();
        foreach (var connection in connections)
        {
            connection.Dispose();
        }
    }

    /// <summary>Listens again on the same port after <see cref="Stop"/>.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listener is not null)
            {
                return;
            }
        }

        Serve(Listen(Port));
    }

    /// <summary>A kubeconfig for this server: plain http on loopback; the context names no user, since KubernetesClient rejects a user without credentials.</summary>
    public void WriteKubeconfig(string path) => File.WriteAllText(path, $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: stand-in
          cluster:
            server: {{BaseUri.AbsoluteUri.TrimEnd('/')}}
        contexts:
        - name: stand-in
          context:
            cluster: stand-in
        current-context: stand-in
        """);

    /// <summary>Waits until the condition over this server holds, re-checking whenever a request arrives or a watch opens or closes.</summary>
    public async Task WaitUntilAsync(Func<StandInApiServer, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task pulse;
            lock (_gate)
            {
                pulse = _pulse.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await pulse.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the stand-in API server did not reach the expected state within {timeout}");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Stop();
    }

    private static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        // Resume binds the same port while connections closed by Stop may still be in TIME_WAIT.
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        return listener;
    }

    private void Serve(TcpListener listener)
    {
        var serving = new CancellationTokenSource();
        lock (_gate)
        {
            _listener = listener;
            _serving = serving;
        }

        _ = AcceptLoopAsync(listener, serving.Token);
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            lock (_gate)
            {
                if (_listener != listener)
                {
                    connection.Dispose();
                    return;
                }

                _connections.Add(connection);
            }

            _ = ServeConnectionAsync(connection, ct);
        }
    }

    /// <summary>
    /// One request per connection. A client that goes away, or a Stop, ends it quietly: nothing here may take the server down.
    /// A fault of the stand-in itself is answered 500 where the response has not begun, because a connection closed
    /// without any answer makes HttpClient silently send a GET again, which would hide the fault.
    /// </summary>
    private async Task ServeConnectionAsync(TcpClient connection, CancellationToken ct)
    {
        Stream stream = connection.GetStream();
        try
        {
            if (_tls is not null)
            {
                var ssl = new SslStream(stream);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _tls,
                    ClientCertificateRequired = true,
                    // Records what the client presented, for the test to check; whom to trust is not the stand-in's question.
#pragma warning disable CA5359
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        ClientCertificates.Enqueue(certificate?.Subject ?? "");
                        return true;
                    },
#pragma warning restore CA5359
                }, ct);
            }

            var request = await StandInRequest.ReadAsync(stream, ct);
            if (request is null)
            {
                return;
            }

            Pulse();
            await AnswerAsync(stream, request, ct);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
        {
        }
        catch (Exception e)
        {
            Faults.Enqueue(e);
            try
            {
                await StandInHttp.WriteJsonAsync(stream, 500, StandInHttp.Status(500, "InternalError", $"stand-in fault: {e.GetType().Name}: {e.Message}"), ct);
            }
            catch (Exception e2) when (e2 is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(connection);
            }

            connection.Dispose();
            Pulse();
        }
    }

    private async Task AnswerAsync(Stream stream, StandInRequest request, CancellationToken ct)
    {
        if (StandInResource.Route(request.Path) is not { } route)
        {
            await StandInHttp.WriteJsonAsync(stream, 404, StandInHttp.Status(404, "NotFound", $"the server could not find the requested resource ({request.Path})"), ct);
            return;
        }

        if (request.Method != "GET")
        {
            await StandInHttp.WriteJsonAsync(stream, 405, StandInHttp.Status(405, "MethodNotAllowed", "the stand-in serves GET only"), ct);
            return;
        }

        var (resource, ns) = route;
        int failWith;
        lock (_gate)
        {
            failWith = _failRequests-- > 0 ? _failStatus : 0;
            _failRequests = Math.Max(0, _failRequests);
        }

        if (failWith != 0)
        {
            await StandInHttp.WriteJsonAsync(stream, failWith, StandInHttp.Status(failWith, "ServiceUnavailable", "the stand-in was told to fail this request"), ct);
            return;
        }

        StandInFieldSelector selector;
        try
        {
            selector = StandInFieldSelector.Parse(request["fieldSelector"], resource);
        }
        catch (FormatException e)
        {
            await StandInHttp.WriteJsonAsync(stream, 400, StandInHttp.Status(400, "BadRequest", e.Message), ct);
            return;
        }

        if (request.Flag("watch"))
        {
            await WatchAsync(stream, request, resource, ns, selector, ct);
        }
        else
        {
            var (status, body) = List(request, resource, ns, selector);
            await StandInHttp.WriteJsonAsync(stream, status, body, ListBodyDelay, ct);
        }
    }

    private (int Status, string Body) List(StandInRequest request, StandInResource resource, string? ns, StandInFieldSelector selector)
    {
        var limit = int.TryParse(request["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var token = request["continue"];
        lock (_gate)
        {
            Increment(_pages, resource);
            long listVersion = _version;
            string? after = null;
            if (string.IsNullOrEmpty(token))
            {
                Increment(_lists, resource);
            }
            else
            {
                // Pages after the first are cut from the current state, not from the first page's: simpler than a real server, and a list+watch client cannot tell.
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|', 2);
                listVersion = long.Parse(parts[0], CultureInfo.InvariantCulture);
                after = parts[1];
                if (_failNextContinue.Remove(resource) || listVersion < _expiredBefore)
                {
                    return (410, StandInHttp.Status(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."));
                }
            }

            var matching = _objects[resource]
                .Where(pair => after is null || string.CompareOrdinal(pair.Key, after) > 0)
                .Where(pair => ns is null || pair.Value.Item.Metadata.NamespaceProperty == ns)
                .Where(pair => selector.Matches(pair.Value.Item))
                .ToList();
            var page = matching.Take(limit).ToList();
            var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
            if (matching.Count > page.Count)
            {
                metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{listVersion}|{page[^1].Key}"));
                metadata["remainingItemCount"] = matching.Count - page.Count;
            }

            var list = new JsonObject
            {
                ["kind"] = resource.ListKind,
                ["apiVersion"] = resource.ApiVersion,
                ["metadata"] = metadata,
                ["items"] = new JsonArray([.. page.Select(pair => JsonNode.Parse(pair.Value.Json))]),
            };
            return (200, list.ToJsonString());
        }
    }

    private async Task WatchAsync(Stream stream, StandInRequest request, StandInResource resource, string? ns, StandInFieldSelector selector, CancellationToken ct)
    {
        var from = request["resourceVersion"];
        using var watch = new StandInWatch(resource, ns, selector, request.Flag("allowWatchBookmarks"));
        string? gone = null;
        var goneForm = GoneForm.InStreamError;
        lock (_gate)
        {
            Increment(_watchRequests, resource);
            _lastWatchVersion[resource] = from ?? "";
            if (!_watchTimes.TryGetValue(resource, out var times))
            {
                _watchTimes[resource] = times = [];
            }

            times.Add(_clock.Elapsed);
        }

        if (EmptyWatches)
        {
            await StandInHttp.WriteChunkedHeadAsync(stream, ct);
            await StandInHttp.WriteLastChunkAsync(stream, ct);
            return;
        }

        var silent = SilentWatches;
        lock (_gate)
        {
            if (string.IsNullOrEmpty(from) || from == "0")
            {
                // No resourceVersion: the current state as synthetic ADDED events, then what follows.
                foreach (var stored in _objects[resource].Values)
                {
                    watch.Offer(new StandInEvent(resource, "ADDED", _version, stored, null));
                }

                _watches.Add(watch);
            }
            else if (!long.TryParse(from, CultureInfo.InvariantCulture, out var version) || version < _expiredBefore)
            {
                gone = StandInHttp.Status(410, "Expired", $"too old resource version: {from} ({_expiredBefore})");
                goneForm = _goneForm;
            }
            else
            {
                foreach (var change in _history.Where(h => h.Version > version))
                {
                    watch.Offer(change);
                }

                _watches.Add(watch);
            }
        }

        if (gone is not null)
        {
            if (goneForm == GoneForm.HttpStatus)
            {
                await StandInHttp.WriteJsonAsync(stream, 410, gone, ct);
            }
            else
            {
                await StandInHttp.WriteChunkedHeadAsync(stream, ct);
                await StandInHttp.WriteChunkAsync(stream, StandInWatch.Line("ERROR", gone), ct);
                await StandInHttp.WriteLastChunkAsync(stream, ct);
            }

            return;
        }

        Pulse();
        var timeoutSeconds = int.TryParse(request["timeoutSeconds"], CultureInfo.InvariantCulture, out var t) && t > 0 ? t : 1800;
        using var timeout = silent ? new CancellationTokenSource() : new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var clientGone = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, watch.Aborted, timeout.Token, clientGone.Token);
        // The client sends nothing after its request, so a read that ends means it closed: the watch is over at once, not at the next write.
        var closeWatch = WatchForCloseAsync(stream, clientGone, stop.Token);
        try
        {
            await StandInHttp.WriteChunkedHeadAsync(stream, stop.Token);
            if (silent)
            {
                // Until the client gives up (or a Stop): a silent server never ends a watch by itself.
                await Task.Delay(Timeout.Infinite, stop.Token);
            }

            await foreach (var line in watch.Lines.ReadAllAsync(stop.Token))
            {
                await StandInHttp.WriteChunkAsync(stream, line, stop.Token);
            }

            await StandInHttp.WriteLastChunkAsync(stream, stop.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !watch.Aborted.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // timeoutSeconds passed: end the stream properly, as kube-apiserver does.
            await StandInHttp.WriteLastChunkAsync(stream, ct);
        }
        finally
        {
            lock (_gate)
            {
                _watches.Remove(watch);
            }

            await stop.CancelAsync();
            await closeWatch;
        }
    }

    private static async Task WatchForCloseAsync(Stream stream, CancellationTokenSource clientGone, CancellationToken ct)
    {
        try
        {
            var buffer = new byte[256];
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        if (!ct.IsCancellationRequested)
        {
            await clientGone.CancelAsync();
        }
    }

    private void Record(StandInEvent change)
    {
        _history.Add(change);
        foreach (var watch in _watches)
        {
            watch.Offer(change);
        }
    }

    private void Pulse()
    {
        TaskCompletionSource pulse;
        lock (_gate)
        {
            pulse = _pulse;
            _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        pulse.TrySetResult();
    }

    private int Count(Dictionary<StandInResource, int> counters, Type model)
    {
        lock (_gate)
        {
            return counters.GetValueOrDefault(StandInResource.For(model));
        }
    }

    private static void Increment(Dictionary<StandInResource, int> counters, StandInResource resource) =>
        counters[resource] = counters.GetValueOrDefault(resource) + 1;
}
