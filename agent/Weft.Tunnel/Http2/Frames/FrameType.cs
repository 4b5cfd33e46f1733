namespace Weft.Tunnel.Http2.Frames;

/// <summary>Frame types of RFC 9113 §6.</summary>
internal enum FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Frame flags; the same bit means different things on different frame types.</summary>
[Flags]
internal enum FrameFlags : byte
{
    None = 0x0,
    EndStream = 0x1,
#pragma warning disable CA1069 // the protocol reuses bit 0: END_STREAM on DATA/HEADERS, ACK on SETTINGS/PING
    Ack = 0x1,
#pragma warning restore CA1069
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}

/// <summary>SETTINGS parameters (RFC 9113 §6.5.2).</summary>
internal enum SettingId : ushort
{
    HeaderTableSize = 0x1,
    EnablePush = 0x2,
    MaxConcurrentStreams = 0x3,
    InitialWindowSize = 0x4,
    MaxFrameSize = 0x5,
    MaxHeaderListSize = 0x6,
}

/// <summary>One SETTINGS parameter as sent on the wire.</summary>
internal readonly record struct Setting(SettingId Id, uint Value);
