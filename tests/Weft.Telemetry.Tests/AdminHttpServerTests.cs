using Weft.Tests.Shared;
using System.Net;
using System.Text;
using Weft.Telemetry.Admin;
using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>The admin server over real loopback sockets: routing, 404/405/500, ports, stopping.</summary>
public sealed class AdminHttpServerTests
{
    private static string Prefix(int port) => $"http://127.0.0.1:{port}/";

    private static AdminRoute Ok(string prefix, string path, string body = "ok\n") =>
        AdminRoute.Respond(prefix, path, _ => ValueTask.FromResult(AdminResponse.Text(200, body)));

    private static async Task<AdminHttpServer> StartAsync(TestLogger<AdminHttpServer> logger, params AdminRoute[] routes)
    {
        var server = new AdminHttpServer(routes, logger);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    [Fact]
    public async Task Unknown_path_is_404()
    {
        var prefix = Prefix(LoopbackPort.Free());
        await using var server = await StartAsync(new(), Ok(prefix, "/ok"));
        using var client = LoopbackPort.Client();

        using var response = await client.GetAsync(prefix + "nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not found\n", await response.Content.ReadAsStringAsync());
        using var prefixOfRoute = await client.GetAsync(prefix + "ok/more");
        Assert.Equal(HttpStatusCode.NotFound, prefixOfRoute.StatusCode);
    }

    [Fact]
    public async Task Other_methods_are_405_with_allow_get()
    {
        var prefix = Prefix(LoopbackPort.Free());
        var called = 0;
        var route = AdminRoute.Respond(prefix, "/ok", _ =>
        {
            Interlocked.Increment(ref called);
            return ValueTask.FromResult(AdminResponse.Text(200, "ok\n"));
        });
        await using var server = await StartAsync(new(), route);
        using var client = LoopbackPort.Client();

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, prefix + "ok") { Content = new StringContent("x") });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("GET", Assert.Single(response.Content.Headers.Allow));
        }

        Assert.Equal(0, called);
        using var get = await client.GetAsync(prefix + "ok");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(1, called);
    }

    [Fact]
    public async Task A_throwing_handler_is_500_logged_and_the_server_keeps_serving()
    {
        var prefix = Prefix(LoopbackPort.Free());
        var logger = new TestLogger<AdminHttpServer>();
        var boom = new AdminRoute(prefix, "/boom", (_, _) => throw new InvalidOperationException("kaput"));
        var boomAsync = new AdminRoute(prefix, "/boom-later", async (_, ct) =>
        {
            await Task.Delay(10, ct);
            throw new InvalidOperationException("kaput later");
        });
        await using var server = await StartAsync(logger, boom, boomAsync, Ok(prefix, "/ok"));
        using var client = LoopbackPort.Client();

        for (var i = 0; i < 3; i++)
        {
            using var failed = await client.GetAsync(prefix + "boom");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal("internal error\n", await failed.Content.ReadAsStringAsync());
            using var failedLater = await client.GetAsync(prefix + "boom-later");
            Assert.Equal(HttpStatusCode.InternalServerError, failedLater.StatusCode);
        }

        using var ok = await client.GetAsync(prefix + "ok");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("ok\n", await ok.Content.ReadAsStringAsync());

        var logged = logger.Events(8002);
        Assert.Equal(6, logged.Count);
        Assert.All(logged, e => Assert.IsType<InvalidOperationException>(e.Exception));
        Assert.Contains(logged, e => e.Message.Contains("GET", StringComparison.Ordinal) && e.Message.Contains("/boom-later", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_failing_mid_body_is_cut_off_not_completed()
    {
        var prefix = Prefix(LoopbackPort.Free());
        var logger = new TestLogger<AdminHttpServer>();
        var half = new AdminRoute(prefix, "/half", async (context, ct) =>
        {
            context.Response.ContentLength64 = 100;
            await context.Response.OutputStream.WriteAsync(new byte[10], ct);
            throw new InvalidOperationException("half way");
        });
        await using var server = await StartAsync(logger, half, Ok(prefix, "/ok"));
        using var client = LoopbackPort.Client();

        // The client sees the 200 headers but never the whole 100-byte body.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetByteArrayAsync(prefix + "half"));
        Assert.Single(logger.Events(8002));
        Assert.Equal("ok\n", await client.GetStringAsync(prefix + "ok"));
    }

    [Fact]
    public async Task A_response_route_sends_its_status_content_type_and_body()
    {
        var prefix = Prefix(LoopbackPort.Free());
        var route = AdminRoute.Respond(prefix, "/healthz/ready", _ => ValueTask.FromResult(new AdminResponse(503, "application/json", "{\"ready\":false}")));
        await using var server = await StartAsync(new(), route);
        using var client = LoopbackPort.Client();

        using var response = await client.GetAsync(prefix + "healthz/ready?verbose=1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(15, response.Content.Headers.ContentLength);
        Assert.Equal("{\"ready\":false}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Each_prefix_serves_only_its_own_routes()
    {
        var (a, b) = (Prefix(LoopbackPort.Free()), Prefix(LoopbackPort.Free()));
        await using var server = await StartAsync(new(), Ok(a, "/same", "from a\n"), Ok(b, "/same", "from b\n"), Ok(b, "/only-b"));
        using var client = LoopbackPort.Client();

        Assert.Equal([a, b], server.Prefixes);
        Assert.Equal("from a\n", await client.GetStringAsync(a + "same"));
        Assert.Equal("from b\n", await client.GetStringAsync(b + "same"));
        using var missing = await client.GetAsync(a + "only-b");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_port_in_use_is_one_sentence_naming_it_and_nothing_is_left_open()
    {
        using var holder = LoopbackPort.Occupy();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        var free = LoopbackPort.Free();
        var server = new AdminHttpServer([Ok(Prefix(free), "/ok"), Ok(Prefix(busy), "/ok")], new TestLogger<AdminHttpServer>());

        var e = await Assert.ThrowsAsync<AdminListenException>(() => server.StartAsync(CancellationToken.None));
        Assert.Equal(
            $"Port {busy} (http://127.0.0.1:{busy}/) is already in use by another process or listener: stop it (`ss -ltnp 'sport = :{busy}'` shows which) or configure another port.",
            e.Message);
        Assert.True(LoopbackPort.CanBind(free), "the prefix opened before the failure must be closed again");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_prefix_this_process_already_serves_is_refused_and_the_first_keeps_serving()
    {
        var prefix = Prefix(LoopbackPort.Free());
        await using var first = await StartAsync(new(), Ok(prefix, "/ok"));
        await using var second = new AdminHttpServer([Ok(prefix, "/other")], new TestLogger<AdminHttpServer>());

        var e = await Assert.ThrowsAsync<AdminListenException>(() => second.StartAsync(CancellationToken.None));
        // The managed HttpListener shares one socket per address and port within a process, so this
        // is not a bind failure but its own conflict.
        Assert.Equal(
            $"Cannot listen on port {new Uri(prefix).Port} ({prefix}): Failed to listen on prefix '{prefix}' because it conflicts with an existing registration on the machine.",
            e.Message);
        using var client = LoopbackPort.Client();
        Assert.Equal("ok\n", await client.GetStringAsync(prefix + "ok"));
    }

    [Fact]
    public async Task Stop_cancels_handlers_and_closes_the_port()
    {
        var port = LoopbackPort.Free();
        var prefix = Prefix(port);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hang = new AdminRoute(prefix, "/hang", async (_, ct) =>
        {
            entered.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                cancelled.SetResult();
            }
        });
        var server = await StartAsync(new(), hang);
        using var client = LoopbackPort.Client();

        var hanging = client.GetAsync(prefix + "hang");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await server.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(1));

        // Linux's HttpListener cannot abort a response without sending its headers: an honest 503, then.
        using var stopped = await hanging;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.StatusCode);
        Assert.Equal("server stopping\n", await stopped.Content.ReadAsStringAsync());

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(prefix + "hang"));
        Assert.True(LoopbackPort.CanBind(port));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Requests_are_served_concurrently()
    {
        var prefix = Prefix(LoopbackPort.Free());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new AdminRoute(prefix, "/slow", async (context, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            var body = Encoding.UTF8.GetBytes("slow\n");
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body, ct);
        });
        await using var server = await StartAsync(new(), slow, Ok(prefix, "/fast", "fast\n"));
        using var client = LoopbackPort.Client();

        var slowResponse = client.GetStringAsync(prefix + "slow");
        Assert.Equal("fast\n", await client.GetStringAsync(prefix + "fast"));
        Assert.False(slowResponse.IsCompleted);
        gate.SetResult();
        Assert.Equal("slow\n", await slowResponse);
    }

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://127.0.0.1:15020")]
    [InlineData("http://127.0.0.1:15020/admin/")]
    [InlineData("https://127.0.0.1:15020/")]
    [InlineData("http://[::1]:15000/")]
    [InlineData("http://127.0.0.1:99999/")]
    public void Prefixes_need_host_and_port_only(string prefix) =>
        Assert.Throws<ArgumentException>(() => Ok(prefix, "/ok"));

    [Fact]
    public void Ports_are_read_from_prefixes()
    {
        Assert.Equal(15000, Ok("http://localhost:15000/", "/config_dump").Port);
        Assert.Equal(15020, Ok("http://+:15020/", "/metrics").Port);
    }

    [Fact]
    public void Two_routes_for_one_path_are_refused()
    {
        var prefix = Prefix(15020);
        Assert.Throws<ArgumentException>(() => new AdminHttpServer([Ok(prefix, "/a"), Ok(prefix, "/a")], new TestLogger<AdminHttpServer>()));
        Assert.Throws<ArgumentException>(() => new AdminHttpServer([], new TestLogger<AdminHttpServer>()));
        Assert.Throws<ArgumentException>(() => Ok(prefix, "no-slash"));
    }

    [Fact]
    public async Task It_is_started_once_and_logs_start_and_stop()
    {
        var logger = new TestLogger<AdminHttpServer>();
        var prefix = Prefix(LoopbackPort.Free());
        var server = await StartAsync(logger, Ok(prefix, "/ok"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync(CancellationToken.None));
        await server.StopAsync(CancellationToken.None);
        await server.StopAsync(CancellationToken.None);
        await server.DisposeAsync();

        Assert.Contains(prefix, Assert.Single(logger.Events(8000)).Message, StringComparison.Ordinal);
        Assert.Single(logger.Events(8001));
    }
}
