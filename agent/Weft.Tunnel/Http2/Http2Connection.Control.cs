using System.Buffers;
using System.Text;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Http2;

/// <summary>The frames that steer the connection: SETTINGS, PING, GOAWAY, WINDOW_UPDATE, RST_STREAM, PRIORITY.</summary>
public sealed partial class Http2Connection
{
    private readonly EncoderTableSize encoderTable = new();
    private int peerMaxHeaderListSize = int.MaxValue;

    /// <summary>Keep-alive PINGs the peer answered (for tests).</summary>
    internal long PingsAcknowledged { get; private set; }

    private void OnSettings(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Protocol("SETTINGS on a stream");
        }

        if (header.Has(FrameFlags.Ack))
        {
            if (header.Length != 0)
            {
                throw FrameSize("SETTINGS ACK with a payload");
            }

            lock (sync)
            {
                settingsSentAt = 0;
            }

            return;
        }

        if (header.Length % 6 != 0)
        {
            throw FrameSize("SETTINGS payload is not a multiple of 6 octets");
        }

        if (header.Length / 6 > MaxSettingsPerFrame)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, $"SETTINGS with {header.Length / 6} entries (at most {MaxSettingsPerFrame})");
        }

        lock (sync)
        {
            CountReplyLocked();
            for (var i = 0; i < header.Length / 6; i++)
            {
                ApplySettingLocked(FrameReader.ReadSetting(payload, i));
            }

            FrameWriter.WriteSettingsAck(pending);
            writerWake.Set();
            if (!peerSettingsSeen)
            {
                peerSettingsSeen = true;
                peerSettings.TrySetResult();
            }

            ReleaseOpenWaitersLocked();
        }
    }

    private void ApplySettingLocked(Setting setting)
    {
        switch (setting.Id)
        {
            case SettingId.EnablePush:
                if (setting.Value > 1 || (setting.Value == 1 && !isServer))
                {
                    throw Protocol($"SETTINGS_ENABLE_PUSH {setting.Value}");
                }

                break;
            case SettingId.MaxConcurrentStreams:
                peerMaxConcurrent = (int)Math.Min(setting.Value, int.MaxValue);
                break;
            case SettingId.InitialWindowSize:
                if (setting.Value > MaxWindow)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, $"SETTINGS_INITIAL_WINDOW_SIZE {setting.Value}");
                }

                // The change applies to every stream's send window, and may leave it negative.
                var delta = (long)setting.Value - peerInitialWindow;
                peerInitialWindow = (int)setting.Value;
                if (delta == 0)
                {
                    // A repeat costs no walk over the streams.
                    break;
                }

                foreach (var stream in streams.Values)
                {
                    stream.SendWindow += delta;
                    if (stream.SendWindow > MaxWindow)
                    {
                        throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, $"stream {stream.Id} window beyond 2^31-1");
                    }

                    MakeReadyLocked(stream);
                }

                break;
            case SettingId.MaxFrameSize:
                if (setting.Value is < FrameHeader.MinMaxFrameSize or > FrameHeader.MaxMaxFrameSize)
                {
                    throw Protocol($"SETTINGS_MAX_FRAME_SIZE {setting.Value}");
                }

                peerMaxFrameSize = (int)setting.Value;
                break;
            case SettingId.MaxHeaderListSize:
                peerMaxHeaderListSize = (int)Math.Min(setting.Value, int.MaxValue);
                break;
            case SettingId.HeaderTableSize:
                encoderTable.OnPeerSetting(setting.Value);
                break;
            default:
                // Unknown ids are ignored (RFC 9113 §6.5.2).
                break;
        }
    }

    private void OnPing(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Protocol("PING on a stream");
        }

        if (header.Length != 8)
        {
            throw FrameSize("PING payload is not 8 octets");
        }

        var opaque = FrameReader.ReadUInt64(payload);
        lock (sync)
        {
            if (!header.Has(FrameFlags.Ack))
            {
                CountReplyLocked();
                FrameWriter.WritePing(pending, opaque, ack: true);
                writerWake.Set();
            }
            else if (pingSentAt != 0 && opaque == pingPayload)
            {
                pingSentAt = 0;
                PingsAcknowledged++;
            }
        }
    }

    private void OnGoAway(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Protocol("GOAWAY on a stream");
        }

        if (header.Length < 8)
        {
            throw FrameSize("GOAWAY shorter than 8 octets");
        }

        var (lastStreamId, code) = FrameReader.ReadGoAway(payload);
        var debug = Encoding.ASCII.GetString(payload.Slice(8, Math.Min(header.Length - 8, 256)));
        Http2Log.GoAwayReceived(log, role, code, lastStreamId, debug);
        lock (sync)
        {
            goAwayReceived = true;
            if (code != Http2ErrorCode.NoError)
            {
                peerGoAwayError = new Http2ConnectionException(code, $"the peer sent GOAWAY {code}: {debug}");
            }

            // Our streams above its last id were never processed: they can be retried elsewhere.
            List<Http2Stream>? unprocessed = null;
            foreach (var stream in streams.Values)
            {
                if (!IsPeerInitiated(stream.Id) && stream.Id > lastStreamId)
                {
                    (unprocessed ??= []).Add(stream);
                }
            }

            foreach (var stream in unprocessed ?? [])
            {
                ResetLocked(stream, Http2ErrorCode.RefusedStream, sendRst: false,
                    new Http2StreamException(Http2ErrorCode.RefusedStream, $"stream {stream.Id} was not processed (GOAWAY, last stream {lastStreamId}); safe to retry"));
            }

            FailOpenWaitersLocked(new Http2ConnectionException(code, "the peer is going away"));
            CheckDrainedLocked();
        }
    }

    private void OnWindowUpdate(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.Length != 4)
        {
            throw FrameSize("WINDOW_UPDATE payload is not 4 octets");
        }

        var increment = (int)(FrameReader.ReadUInt32(payload) & 0x7FFF_FFFF);
        lock (sync)
        {
            if (header.StreamId == 0)
            {
                if (increment == 0)
                {
                    throw Protocol("WINDOW_UPDATE of 0 on the connection");
                }

                connSendWindow += increment;
                if (connSendWindow > MaxWindow)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "connection send window beyond 2^31-1");
                }

                if (ready.Count > 0)
                {
                    writerWake.Set();
                }

                return;
            }

            var stream = FindStreamLocked(header.StreamId, FrameType.WindowUpdate);
            if (stream is null)
            {
                return;
            }

            if (increment == 0)
            {
                StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0");
                return;
            }

            stream.SendWindow += increment;
            if (stream.SendWindow > MaxWindow)
            {
                StreamErrorLocked(stream, Http2ErrorCode.FlowControlError, "stream send window beyond 2^31-1");
                return;
            }

            MakeReadyLocked(stream);
        }
    }

    private void OnRstStream(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw Protocol("RST_STREAM on stream 0");
        }

        if (header.Length != 4)
        {
            throw FrameSize("RST_STREAM payload is not 4 octets");
        }

        var code = (Http2ErrorCode)FrameReader.ReadUInt32(payload);
        lock (sync)
        {
            if (FindStreamLocked(header.StreamId, FrameType.RstStream) is not { } stream)
            {
                return;
            }

            CountPeerResetLocked(stream);

            var reset = new Http2StreamException(code, $"stream {stream.Id} was reset by the peer ({code})");
            if (code == Http2ErrorCode.NoError && stream.RemoteEnded)
            {
                // The peer sent all it had and only asks us to stop sending (RFC 9113 §8.1):
                // what it sent stays readable.
                StopSendingLocked(stream, reset);
                return;
            }

            ResetLocked(stream, code, sendRst: false, reset);
        }
    }

    private void OnPriority(in FrameHeader header)
    {
        // Priorities are deprecated (RFC 9113 §5.3.2) and ignored, but the frame must still be well formed.
        if (header.StreamId == 0)
        {
            throw Protocol("PRIORITY on stream 0");
        }

        if (header.Length != 5)
        {
            lock (sync)
            {
                if (streams.TryGetValue(header.StreamId, out var stream))
                {
                    StreamErrorLocked(stream, Http2ErrorCode.FrameSizeError, "PRIORITY payload is not 5 octets");
                }
            }
        }
    }
}
