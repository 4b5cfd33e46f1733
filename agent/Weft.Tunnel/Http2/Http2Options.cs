using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Http2;

/// <summary>What one HTTP/2 connection advertises and how it keeps itself alive.</summary>
public sealed record Http2Options
{
    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE: what each stream buffers at most before its reader consumes.</summary>
    public int InitialStreamWindow { get; init; } = 4 * 1024 * 1024;

    /// <summary>The connection-level receive window, shared by all streams.</summary>
    public int ConnectionWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>SETTINGS_MAX_FRAME_SIZE we accept; what we send is bounded by the peer's.</summary>
    public int MaxFrameSize { get; init; } = 1024 * 1024;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS a server advertises and enforces (REFUSED_STREAM beyond).</summary>
    public int MaxConcurrentStreams { get; init; } = 200;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE: the largest decoded header list we accept.</summary>
    public int MaxHeaderListSize { get; init; } = 16 * 1024;

    /// <summary>A PING goes out after this long without receiving anything; infinite disables.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The connection closes when a PING (or our SETTINGS) is unacknowledged this long.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialStreamWindow, 1, nameof(InitialStreamWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConnectionWindow, 65_535, nameof(ConnectionWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, FrameHeader.MinMaxFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameSize, FrameHeader.MaxMaxFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentStreams, 1, nameof(MaxConcurrentStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderListSize, 1024, nameof(MaxHeaderListSize));
    }
}
