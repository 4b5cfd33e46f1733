using System.Net.Sockets;
using System.Security.Cryptography;
using Weft.Proxy.Relay;

namespace Weft.Proxy.Tests;

/// <summary>
/// The relay between an application's socket and the upstream, on real loopback sockets:
/// client ⇄ [down | relay | up] ⇄ server.
/// </summary>
public sealed class TcpRelayTests : IAsyncLifetime
{
    private Socket client = null!;
    private Socket down = null!;
    private Socket up = null!;
    private Socket server = null!;

    public async Task InitializeAsync()
    {
        (client, down) = await SocketPair.CreateAsync();
        (up, server) = await SocketPair.CreateAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in new[] { client, down, up, server })
        {
            s.Dispose();
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Bytes_arrive_unchanged_and_half_close_passes_both_ways()
    {
        var relay = TcpRelay.RunAsync(down, up, CancellationToken.None);
        var data = RandomNumberGenerator.GetBytes(5 << 20);
        var send = Task.Run(async () =>
        {
            await client.SendAsync(data);
            client.Shutdown(SocketShutdown.Send);
        });

        // The server sees all the data and then EOF while its own direction is still open...
        var received = await ReadToEndAsync(server);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
        await send;

        // ...and can still answer; its FIN ends the client's read.
        var reply = RandomNumberGenerator.GetBytes(300_000);
        await server.SendAsync(reply);
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal(reply, await ReadToEndAsync(client));

        var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(data.Length, result.Sent);
        Assert.Equal(reply.Length, result.Received);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task A_reset_on_one_side_resets_the_other()
    {
        var relay = TcpRelay.RunAsync(down, up, CancellationToken.None);
        await client.SendAsync(new byte[] { 1, 2, 3 });
        var buffer = new byte[16];
        Assert.Equal(3, await server.ReceiveAsync(buffer));

        TcpRelay.Reset(server);
        var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(result.Error);

        // The client sees the connection die (reset or EOF), not a hang.
        var ex = await Record.ExceptionAsync(async () =>
        {
            var n = await client.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, n);
        });
        Assert.True(ex is null or SocketException, ex?.ToString());
    }

    [Fact]
    public async Task Cancellation_resets_both_sides()
    {
        using var cts = new CancellationTokenSource();
        var relay = TcpRelay.RunAsync(down, up, cts.Token);
        await cts.CancelAsync();
        var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task A_slow_reader_slows_the_writer_instead_of_growing_memory()
    {
        var relay = TcpRelay.RunAsync(down, up, CancellationToken.None);

        // Nobody reads at the server: the client can only push what the kernel buffers plus
        // at most one relay chunk in flight, then its sends must stall.
        client.Blocking = false;
        var chunk = new byte[64 * 1024];
        long pushed = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var stalledFor = 0;
        while (DateTime.UtcNow < deadline && stalledFor < 20)
        {
            try
            {
                pushed += client.Send(chunk);
                stalledFor = 0;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                stalledFor++;
                await Task.Delay(25);
            }
        }

        Assert.True(stalledFor >= 20, $"the client could push {pushed} bytes without anyone reading");

        // What got through is bounded by socket buffers on both hops, not by the data offered.
        var bound = SocketBuffers(client) + SocketBuffers(down) + SocketBuffers(up) + SocketBuffers(server) + TcpRelay.ChunkSize;
        Assert.True(pushed <= bound, $"pushed {pushed} > {bound}");

        // A blocked send is not abandoned while the client goes away (like tokio's copy): the
        // relay ends once the stalled server is gone too.
        TcpRelay.Reset(client);
        TcpRelay.Reset(server);
        var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task Relaying_allocates_nothing_per_chunk()
    {
        // Warm up (JIT, pools, the socket engine's first operations).
        await RelayAsync(1 << 20);
        var small = await AllocatedDuringAsync(() => RelayAsync(1 << 20));
        var large = await AllocatedDuringAsync(() => RelayAsync(64 << 20));

        // 64 times the data (about 1000 more chunks) may not cost more than a few KiB more.
        Assert.True(large - small < 64 * 1024, $"1 MiB relay allocated {small} B, 64 MiB relay {large} B");
    }

    [Fact]
    public async Task An_idle_relay_holds_no_buffer_and_little_else()
    {
        const int count = 200;
        var pairs = new List<Socket>();
        try
        {
            var sides = new List<(Socket Down, Socket Up)>();
            for (var i = 0; i < count; i++)
            {
                var (c, d) = await SocketPair.CreateAsync();
                var (u, s) = await SocketPair.CreateAsync();
                pairs.AddRange([c, d, u, s]);
                sides.Add((d, u));

                // The sockets' own engine state exists before the relay starts: what follows
                // measures the relay alone.
                await c.SendAsync(new byte[] { 1 });
                Assert.Equal(1, await d.ReceiveAsync(new byte[1]));
                await s.SendAsync(new byte[] { 1 });
                Assert.Equal(1, await u.ReceiveAsync(new byte[1]));
            }

            var before = GC.GetTotalMemory(forceFullCollection: true);
            var relays = sides.Select(p => TcpRelay.RunAsync(p.Down, p.Up, CancellationToken.None)).ToList();
            await Task.Delay(200);
            var perRelay = (GC.GetTotalMemory(forceFullCollection: true) - before) / count;

            // Two waiting receives, the relay's state and its awaiter; a rented 64 KiB chunk
            // per direction would be 128 KiB.
            Assert.True(perRelay < 2048, $"an idle relay holds {perRelay} B");
            Assert.All(relays, r => Assert.False(r.IsCompleted));

            foreach (var s in pairs)
            {
                TcpRelay.Reset(s);
            }

            await Task.WhenAll(relays.Select(r => r.AsTask())).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            foreach (var s in pairs)
            {
                s.Dispose();
            }
        }
    }

    private static async Task<long> AllocatedDuringAsync(Func<Task> action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await action();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static async Task RelayAsync(int bytes)
    {
        var (c, d) = await SocketPair.CreateAsync();
        var (u, s) = await SocketPair.CreateAsync();
        using (c)
        using (d)
        using (u)
        using (s)
        {
            var relay = TcpRelay.RunAsync(d, u, CancellationToken.None);
            var payload = new byte[1 << 20];
            var sink = new byte[1 << 20];
            var drain = Task.Run(async () =>
            {
                while (await s.ReceiveAsync(sink.AsMemory(), SocketFlags.None) > 0)
                {
                }

                s.Shutdown(SocketShutdown.Send);
            });
            for (var sent = 0; sent < bytes; sent += payload.Length)
            {
                await c.SendAsync(payload.AsMemory(), SocketFlags.None);
            }

            c.Shutdown(SocketShutdown.Send);
            await drain;
            while (await c.ReceiveAsync(sink.AsMemory(), SocketFlags.None) > 0)
            {
            }

            await relay;
        }
    }

    private static int SocketBuffers(Socket s) => s.SendBufferSize + s.ReceiveBufferSize;

    private static async Task<byte[]> ReadToEndAsync(Socket s)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }
}
