using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Weft.Telemetry.Admin;

/// <summary>
/// A small HTTP/1.1 server for the agent's scrape, readiness and admin endpoints, on the managed
/// <see cref="HttpListener"/> (no Kestrel, to keep the agent small). One listener per prefix; a request
/// goes to the route with its exact path, GET only (404 for other paths, 405 for other methods), each
/// on the thread pool. A handler's exception is logged and answered 500; it never stops the server.
/// Single use: started once, stopped once.
/// </summary>
public sealed partial class AdminHttpServer : IHostedService, IAsyncDisposable
{
    // HttpListenerException.ErrorCode when bind finds the port taken (EADDRINUSE).
    private const int AddressInUse = 98;

    // _state: New, then Started, then Stopped (also after a failed start).
    private const int New = 0;
    private const int Started = 1;
    private const int Stopped = 2;

    private static readonly AdminResponse NotFound = AdminResponse.Text(404, "not found\n");
    private static readonly AdminResponse MethodNotAllowed = AdminResponse.Text(405, "method not allowed: GET only\n");
    private static readonly AdminResponse InternalError = AdminResponse.Text(500, "internal error\n");
    private static readonly AdminResponse Stopping = AdminResponse.Text(503, "server stopping\n");

    private readonly ILogger _logger;
    private readonly List<Endpoint> _endpoints;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly string _prefixList;
    private int _state;

    public AdminHttpServer(IEnumerable<AdminRoute> routes, ILogger<AdminHttpServer> logger)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _endpoints = [];
        foreach (var route in routes)
        {
            var endpoint = _endpoints.Find(e => string.Equals(e.Prefix, route.Prefix, StringComparison.OrdinalIgnoreCase));
            if (endpoint is null)
            {
                endpoint = new Endpoint(route.Prefix, route.Port);
                _endpoints.Add(endpoint);
            }

            if (!endpoint.Routes.TryAdd(route.Path, route))
            {
                throw new ArgumentException($"two routes for {route.Prefix.TrimEnd('/')}{route.Path}", nameof(routes));
            }
        }

        if (_endpoints.Count == 0)
        {
            throw new ArgumentException("an admin server needs at least one route", nameof(routes));
        }

        _prefixList = string.Join(", ", Prefixes);
    }

    /// <summary>The prefixes listened on, one per distinct route prefix.</summary>
    public IReadOnlyList<string> Prefixes => _endpoints.ConvertAll(e => e.Prefix);

    /// <summary>
    /// Listens on every prefix, or on none: if one cannot be had, those already opened are closed and
    /// an <see cref="InvalidOperationException"/> says which port and what to do.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Started, New) != New)
        {
            throw new InvalidOperationException("an AdminHttpServer is started once only");
        }

        foreach (var endpoint in _endpoints)
        {
            try
            {
                endpoint.Listener.Start();
            }
            catch (HttpListenerException e)
            {
                foreach (var opened in _endpoints)
                {
                    CloseQuietly(opened.Listener);
                }

                Interlocked.Exchange(ref _state, Stopped);
                throw new AdminListenException(CannotListen(endpoint, e), e);
            }
        }

        foreach (var endpoint in _endpoints)
        {
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(endpoint), CancellationToken.None));
        }

        LogStarted(_logger, _prefixList);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Cancels the handlers' token, waits for them (up to <paramref name="cancellationToken"/>), then
    /// closes the listeners. In that order because closing first would answer the requests still in
    /// hand "200, empty" — to Prometheus a successful scrape that saw every series vanish.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Stopped, Started) != Started)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var endpoint in _endpoints)
            {
                CloseQuietly(endpoint.Listener);
            }

            await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
            LogStopped(_logger, _prefixList);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);

        // Never started, or failed to start: the listeners may still need closing.
        foreach (var endpoint in _endpoints)
        {
            CloseQuietly(endpoint.Listener);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Linux's managed HttpListener binds the port again while removing a prefix it never listened on,
    /// and throws if another process holds it: closing must not turn an earlier failure into a new one.
    /// </summary>
    private static void CloseQuietly(HttpListener listener)
    {
        try
        {
            listener.Close();
        }
        catch (HttpListenerException)
        {
        }
    }

    private static string CannotListen(Endpoint endpoint, HttpListenerException e) =>
        e.ErrorCode == AddressInUse
            ? $"Port {endpoint.Port} ({endpoint.Prefix}) is already in use by another process or listener: stop it (`ss -ltnp 'sport = :{endpoint.Port}'` shows which) or configure another port."
            : $"Cannot listen on port {endpoint.Port} ({endpoint.Prefix}): {e.Message.TrimEnd('.')}.";

    private async Task AcceptLoopAsync(Endpoint endpoint)
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await endpoint.Listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested || !endpoint.Listener.IsListening)
            {
                // Stop or Close ends the pending accept with an exception: that is the loop's end.
                return;
            }
            catch (Exception e)
            {
                // One broken connection must not end the endpoint; the pause keeps a persistent
                // failure from spinning.
                LogAcceptFailed(_logger, endpoint.Prefix, e.Message);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            var handling = Task.Run(() => HandleAsync(endpoint, context), CancellationToken.None);
            _inFlight.TryAdd(handling, 0);
            _ = handling.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
                _inFlight, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(Endpoint endpoint, HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url?.AbsolutePath ?? "/";
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                await TryAnswerAsync(response, Stopping).ConfigureAwait(false);
                return;
            }

            if (!endpoint.Routes.TryGetValue(path, out var route))
            {
                await NotFound.WriteAsync(response, _stopping.Token).ConfigureAwait(false);
            }
            else if (request.HttpMethod != "GET")
            {
                response.AddHeader("Allow", "GET");
                await MethodNotAllowed.WriteAsync(response, _stopping.Token).ConfigureAwait(false);
            }
            else
            {
                await route.Handler(context, _stopping.Token).ConfigureAwait(false);
            }

            response.Close();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            await TryAnswerAsync(response, Stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e, request.HttpMethod, endpoint.Prefix, path);
            await TryAnswerAsync(response, InternalError).ConfigureAwait(false);
        }
    }

    // Answers a request its handler did not finish. Linux's HttpListener has no real abort (Abort
    // still sends "200" headers), so a status is always sent when the headers have not gone yet;
    // when they have, the connection is closed and a Content-Length body shows up as truncated.
    private async Task TryAnswerAsync(HttpListenerResponse response, AdminResponse answer)
    {
        try
        {
            response.KeepAlive = false;
            await answer.WriteAsync(response, CancellationToken.None).ConfigureAwait(false);
            response.Close();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpListenerException or IOException or ObjectDisposedException)
        {
            LogResponseAborted(_logger, answer.StatusCode, e.Message);
            response.Abort();
        }
    }

    private sealed class Endpoint(string prefix, int port)
    {
        public string Prefix { get; } = prefix;

        public int Port { get; } = port;

        public Dictionary<string, AdminRoute> Routes { get; } = new(StringComparer.Ordinal);

        public HttpListener Listener { get; } = CreateListener(prefix);

        private static HttpListener CreateListener(string prefix)
        {
            // A scraper that hangs up mid-body is its own problem, not an exception in the handler.
            var listener = new HttpListener { IgnoreWriteExceptions = true };
            listener.Prefixes.Add(prefix);
            return listener;
        }
    }
}
