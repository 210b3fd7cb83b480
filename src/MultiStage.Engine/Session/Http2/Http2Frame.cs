using System.Buffers.Binary;

namespace MultiStage.Engine.Session.Http2;

/// <summary>HTTP/2 frame types (RFC 7540 section 6).</summary>
internal enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    ResetStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Frame flags; each applies to the frame types RFC 7540 names for it.</summary>
[Flags]
internal enum Http2Flags : byte
{
    None = 0x0,
    EndStreamOrAck = 0x1,
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}

/// <summary>One HTTP/2 frame (RFC 7540 section 4.1).</summary>
internal sealed record Http2Frame(Http2FrameType Type, Http2Flags Flags, int StreamId, byte[] Payload)
{
    public const int HeaderLength = 9;

    /// <summary>SETTINGS_MAX_FRAME_SIZE's initial value: the largest payload either side may send unless told otherwise.</summary>
    public const int DefaultMaxPayload = 16384;

    public bool Has(Http2Flags flag) => (Flags & flag) == flag;

    /// <summary>Reads the next frame, or null at the end of the stream.</summary>
    /// <exception cref="Http2Exception">A frame larger than <paramref name="maxPayload"/>, or one cut off.</exception>
    public static async Task<Http2Frame?> ReadAsync(Stream stream, int maxPayload, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        var read = await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderLength)
        {
            throw new Http2Exception(Http2ErrorCode.ProtocolError, "the connection ended inside a frame header");
        }

        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        if (length > maxPayload)
        {
            throw new Http2Exception(Http2ErrorCode.FrameSizeError, $"a frame of {length} bytes exceeds {maxPayload}");
        }

        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
        return new Http2Frame((Http2FrameType)header[3], (Http2Flags)header[4], streamId, payload);
    }

    /// <summary>The frame as it goes on the wire.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderLength + Payload.Length];
        Write(bytes, Type, Flags, StreamId, Payload);
        return bytes;
    }

    /// <summary>Writes a frame's wire form to the start of <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, Http2FrameType type, Http2Flags flags, int streamId, ReadOnlySpan<byte> payload)
    {
        destination[0] = (byte)(payload.Length >> 16);
        destination[1] = (byte)(payload.Length >> 8);
        destination[2] = (byte)payload.Length;
        destination[3] = (byte)type;
        destination[4] = (byte)flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId);
        payload.CopyTo(destination[HeaderLength..]);
        return HeaderLength + payload.Length;
    }

    /// <summary>
    /// The header block fragment or data of a HEADERS or DATA frame, without padding and priority fields.
    /// </summary>
    public ReadOnlyMemory<byte> Content()
    {
        var start = 0;
        var end = Payload.Length;
        if (Has(Http2Flags.Padded))
        {
            if (Payload.Length == 0)
            {
                throw new Http2Exception(Http2ErrorCode.ProtocolError, "a padded frame has no pad length");
            }

            start = 1;
            end -= Payload[0];
        }

        if (Type == Http2FrameType.Headers && Has(Http2Flags.Priority))
        {
            start += 5;
        }

        if (end < start)
        {
            throw new Http2Exception(Http2ErrorCode.ProtocolError, "a frame's padding is longer than the frame");
        }

        return Payload.AsMemory(start, end - start);
    }
}
