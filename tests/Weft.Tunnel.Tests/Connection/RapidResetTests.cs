using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>
/// Rapid reset (CVE-2023-44487): a peer that opens streams and resets them at once frees their
/// protocol slots, but not the work their handlers started. Handlers are bounded by the stream
/// limit whatever the peer resets, learn of the reset through <see cref="Http2Stream.StreamAborted"/>,
/// and a HEADERS + RST_STREAM loop ends with GOAWAY(ENHANCE_YOUR_CALM).
/// </summary>
public class RapidResetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Headers_and_reset_loop_runs_no_more_handlers_than_the_stream_limit()
    {
        var running = 0;
        var maxRunning = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(async s =>
        {
            InterlockedMax(ref maxRunning, Interlocked.Increment(ref running));
            try
            {
                // Work that ignores the reset, as a handler busy connecting would.
                await gate.Task;
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }, new Http2Options { MaxConcurrentStreams = 3 });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();

        var block = RawPeer.HeaderBlock(Echo.Connect());
        await raw.SendAsync(w =>
        {
            for (var id = 1; id < 2000; id += 2)
            {
                FrameWriter.WriteHeaders(w, id, block, endStream: false, 16_384);
                FrameWriter.WriteRstStream(w, id, Http2ErrorCode.Cancel);
            }
        });

        var goAway = await raw.ExpectAsync(FrameType.GoAway, timeout: Timeout);
        await Task.Delay(200); // handlers start on the pool: give any extra one time to show
        Assert.InRange(Volatile.Read(ref maxRunning), 1, 3);
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, goAway.ErrorCode);
        gate.SetResult();
    }

    [Fact]
    public async Task Reset_stream_keeps_its_handler_slot_until_the_handler_returns()
    {
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(async s =>
        {
            if (s.Id == 1)
            {
                await firstGate.Task;
                firstDone.SetResult();
                return;
            }

            await s.RespondAsync(Echo.Ok, endStream: true);
        }, new Http2Options { MaxConcurrentStreams = 1 });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();

        await raw.SendConnectAsync(1);
        await raw.SendAsync(w => FrameWriter.WriteRstStream(w, 1, Http2ErrorCode.Cancel));
        await raw.SendConnectAsync(3, endStream: true);

        // Stream 3 is taken (its protocol slot is free) but its handler waits for stream 1's.
        await raw.SendAsync(w => FrameWriter.WritePing(w, 1, ack: false));
        var seen = new List<Frame>();
        while (await raw.ReadFrameAsync(Timeout) is { } f && !(f.Type == FrameType.Ping && f.Header.Has(FrameFlags.Ack)))
        {
            seen.Add(f);
        }

        await Task.Delay(200);
        Assert.DoesNotContain(seen, f => f.StreamId == 3);
        Assert.Equal(1, server.Connections.Single().HandlersRunning);

        firstGate.SetResult();
        await firstDone.Task.WaitAsync(Timeout);
        var response = await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 3, Timeout);
        Assert.True(response.Header.Has(FrameFlags.EndStream));
    }

    [Fact]
    public async Task Handler_sees_the_peer_reset_through_stream_aborted()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, s.StreamAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.SetResult();
            }
        });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        await raw.SendConnectAsync(1);
        await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1);
        await raw.SendAsync(w => FrameWriter.WriteRstStream(w, 1, Http2ErrorCode.Cancel));
        await aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Resetting_streams_faster_than_the_budget_ends_with_enhance_your_calm()
    {
        // A limit high enough that only the reset budget can stop the loop, and handlers that stop at once.
        await using var server = TestServer.Start(async s =>
        {
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, s.StreamAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }, new Http2Options { MaxConcurrentStreams = 5000 });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        var block = RawPeer.HeaderBlock(Echo.Connect());
        await raw.SendAsync(w =>
        {
            for (var i = 0; i < Http2Connection.PeerResets + 200; i++)
            {
                FrameWriter.WriteHeaders(w, (2 * i) + 1, block, endStream: false, 16_384);
                FrameWriter.WriteRstStream(w, (2 * i) + 1, Http2ErrorCode.Cancel);
            }
        });

        var goAway = await raw.ExpectGoAwayAndCloseAsync();
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, goAway.ErrorCode);
    }

    [Fact]
    public void Rate_budget_allows_a_burst_then_its_rate()
    {
        var budget = new RateBudget(burst: 3, perSecond: 10);
        var now = Environment.TickCount64;
        Assert.True(budget.TryTake(now));
        Assert.True(budget.TryTake(now));
        Assert.True(budget.TryTake(now));
        Assert.False(budget.TryTake(now));
        Assert.True(budget.TryTake(now + 100));
        Assert.False(budget.TryTake(now + 100));
        Assert.True(budget.TryTake(now + 10_000));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
