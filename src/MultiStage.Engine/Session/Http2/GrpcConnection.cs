using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using MultiStage.Engine.Session.Hpack;

namespace MultiStage.Engine.Session.Http2;

/// <summary>
/// The server side of one HTTP/2 connection (RFC 7540) carrying gRPC calls, as the engine opens it on a session: the
/// engine's gRPC client sends the client preface, and each call is one stream (<see cref="GrpcServerCall"/>), unary
/// or streaming both ways. Server push, priorities and request compression are not used by the engine's client.
/// </summary>
internal sealed class GrpcConnection
{
    private static readonly byte[] ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    /// <summary>The headers of every response.</summary>
    internal static readonly (string, string)[] ResponseHeaders = [(":status", "200"), ("content-type", "application/grpc")];

    private readonly Stream _stream;
    private readonly IReadOnlyDictionary<string, GrpcHandler> _methods;
    private readonly HpackDecoder _decoder = new();
    private readonly SendWindow _sendWindow = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, GrpcServerCall> _calls = new();
    private readonly List<Task> _running = new();
    private int _peerMaxFrame = Http2Frame.DefaultMaxPayload;

    public GrpcConnection(Stream stream, IReadOnlyDictionary<string, GrpcHandler> methods)
    {
        _stream = stream;
        _methods = methods;
    }

    /// <summary>Serves calls until the peer closes the connection or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="Http2Exception">The peer broke the protocol; GOAWAY was sent when the connection allowed it.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var preface = new byte[ClientPreface.Length];
            await _stream.ReadExactlyAsync(preface, stop.Token).ConfigureAwait(false);
            if (!preface.AsSpan().SequenceEqual(ClientPreface))
            {
                throw new Http2Exception(Http2ErrorCode.ProtocolError, "the peer did not send the HTTP/2 client preface");
            }

            // Our preface: a SETTINGS frame; the defaults suit us.
            await WriteAsync(new Http2Frame(Http2FrameType.Settings, Http2Flags.None, 0, []), stop.Token).ConfigureAwait(false);
            await ReadFramesAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Http2Exception ex)
        {
            await TrySendGoAwayAsync(ex.Code, ex.Message).ConfigureAwait(false);
            throw;
        }
        catch (HpackException ex)
        {
            await TrySendGoAwayAsync(Http2ErrorCode.CompressionError, ex.Message).ConfigureAwait(false);
            throw new Http2Exception(Http2ErrorCode.CompressionError, ex.Message);
        }
        finally
        {
            // Calls still answering give up with the connection; none outlives it.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var call in _calls.Values)
            {
                call.Abort();
            }

            Task[] running;
            lock (_running)
            {
                running = _running.ToArray();
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task ReadFramesAsync(CancellationToken cancellationToken)
    {
        (int StreamId, bool EndStream, MemoryStream Block)? headersInProgress = null;
        while (await Http2Frame.ReadAsync(_stream, Http2Frame.DefaultMaxPayload, cancellationToken).ConfigureAwait(false) is { } frame)
        {
            if (headersInProgress is { } open && (frame.Type != Http2FrameType.Continuation || frame.StreamId != open.StreamId))
            {
                throw new Http2Exception(Http2ErrorCode.ProtocolError, "a header block was interrupted by another frame");
            }

            switch (frame.Type)
            {
                case Http2FrameType.Settings when !frame.Has(Http2Flags.EndStreamOrAck):
                    ApplySettings(frame.Payload);
                    await WriteAsync(new Http2Frame(Http2FrameType.Settings, Http2Flags.EndStreamOrAck, 0, []), cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.Ping when !frame.Has(Http2Flags.EndStreamOrAck):
                    await WriteAsync(frame with { Flags = Http2Flags.EndStreamOrAck }, cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.WindowUpdate when frame.Payload.Length == 4:
                    _sendWindow.Grow(frame.StreamId, BinaryPrimitives.ReadInt32BigEndian(frame.Payload) & int.MaxValue);
                    break;
                case Http2FrameType.Headers:
                    var block = new MemoryStream();
                    block.Write(frame.Content().Span);
                    headersInProgress = (frame.StreamId, frame.Has(Http2Flags.EndStreamOrAck), block);
                    if (frame.Has(Http2Flags.EndHeaders))
                    {
                        HeadersComplete(headersInProgress.Value, cancellationToken);
                        headersInProgress = null;
                    }

                    break;
                case Http2FrameType.Continuation when headersInProgress is { } continued:
                    continued.Block.Write(frame.Payload);
                    if (frame.Has(Http2Flags.EndHeaders))
                    {
                        HeadersComplete(continued, cancellationToken);
                        headersInProgress = null;
                    }

                    break;
                case Http2FrameType.Data:
                    await ReceiveDataAsync(frame, cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.ResetStream:
                    if (_calls.TryRemove(frame.StreamId, out var reset))
                    {
                        reset.Abort();
                    }

                    _sendWindow.CloseStream(frame.StreamId);
                    break;
                case Http2FrameType.GoAway:
                    return;
                case Http2FrameType.Continuation or Http2FrameType.PushPromise:
                    throw new Http2Exception(Http2ErrorCode.ProtocolError, $"unexpected {frame.Type} frame");
            }
        }
    }

    private void ApplySettings(byte[] payload)
    {
        for (var i = 0; i + 6 <= payload.Length; i += 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i));
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
            switch (id)
            {
                case 0x4 when value > int.MaxValue:
                    throw new Http2Exception(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE is too large");
                case 0x4:
                    _sendWindow.SetInitialStreamSize((int)value);
                    break;
                case 0x5 when value is >= Http2Frame.DefaultMaxPayload and <= 0xFFFFFF:
                    _peerMaxFrame = (int)value;
                    break;
            }
        }
    }

    /// <summary>A call starts as soon as its headers are in: a streaming call is answered while its requests arrive.</summary>
    private void HeadersComplete((int StreamId, bool EndStream, MemoryStream Block) headers, CancellationToken cancellationToken)
    {
        var call = new GrpcServerCall(this, headers.StreamId, _decoder.Decode(headers.Block.ToArray()));
        _sendWindow.OpenStream(call.StreamId);
        _calls[call.StreamId] = call;
        if (headers.EndStream)
        {
            call.EndOfRequest();
        }

        var task = Task.Run(() => AnswerAsync(call, cancellationToken), CancellationToken.None);
        lock (_running)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }
    }

    private async Task ReceiveDataAsync(Http2Frame frame, CancellationToken cancellationToken)
    {
        // Every received byte is handed back at once: requests are small, and the calls take them as they come.
        if (frame.Payload.Length > 0)
        {
            var increment = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(increment, frame.Payload.Length);
            await WriteAsync(new Http2Frame(Http2FrameType.WindowUpdate, Http2Flags.None, 0, increment), cancellationToken).ConfigureAwait(false);
            if (!frame.Has(Http2Flags.EndStreamOrAck))
            {
                await WriteAsync(new Http2Frame(Http2FrameType.WindowUpdate, Http2Flags.None, frame.StreamId, increment), cancellationToken).ConfigureAwait(false);
            }
        }

        if (_calls.TryGetValue(frame.StreamId, out var call))
        {
            call.Receive(frame.Content().Span);
            if (frame.Has(Http2Flags.EndStreamOrAck))
            {
                call.EndOfRequest();
            }
        }
    }

    private async Task AnswerAsync(GrpcServerCall call, CancellationToken cancellationToken)
    {
        using var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.Aborted);
        try
        {
            var reply = await InvokeAsync(call, callCancellation.Token).ConfigureAwait(false);
            await call.CompleteAsync(reply.Status, reply.StatusMessage, callCancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection is going away, or the peer gave up on the call; it ends with them.
        }
        finally
        {
            _calls.TryRemove(call.StreamId, out _);
            call.Abort();
            _sendWindow.CloseStream(call.StreamId);
        }
    }

    private async Task<GrpcReply> InvokeAsync(GrpcServerCall call, CancellationToken cancellationToken)
    {
        if (call.Path is null || !_methods.TryGetValue(call.Path, out var handler))
        {
            return GrpcReply.Error(GrpcStatus.Unimplemented, $"unknown method {call.Path}");
        }

        try
        {
            return await handler(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not IOException && ex is not ObjectDisposedException)
        {
            return GrpcReply.Error(GrpcStatus.Internal, ex.Message);
        }
    }

    /// <summary>Sends <paramref name="data"/> on a stream in DATA frames, as the peer's flow-control windows allow.</summary>
    /// <returns>False when the stream was reset before everything was sent.</returns>
    internal async Task<bool> WriteDataAsync(int streamId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        for (var sent = 0; sent < data.Length;)
        {
            var granted = await _sendWindow.TakeAsync(streamId, Math.Min(data.Length - sent, _peerMaxFrame), cancellationToken).ConfigureAwait(false);
            if (granted == 0)
            {
                return false;
            }

            await WriteAsync(Http2FrameType.Data, Http2Flags.None, streamId, data.Slice(sent, granted), cancellationToken).ConfigureAwait(false);
            sent += granted;
        }

        return true;
    }

    internal Task WriteHeadersAsync(int streamId, IEnumerable<(string, string)> fields, bool endStream, CancellationToken cancellationToken)
    {
        // Our header blocks are far below the 16 KiB every peer accepts: one frame, no CONTINUATION.
        var flags = Http2Flags.EndHeaders | (endStream ? Http2Flags.EndStreamOrAck : Http2Flags.None);
        return WriteAsync(Http2FrameType.Headers, flags, streamId, HpackEncoder.Encode(fields), cancellationToken);
    }

    private Task WriteAsync(Http2Frame frame, CancellationToken cancellationToken) =>
        WriteAsync(frame.Type, frame.Flags, frame.StreamId, frame.Payload, cancellationToken);

    private async Task WriteAsync(Http2FrameType type, Http2Flags flags, int streamId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Http2Frame.HeaderLength + payload.Length);
        try
        {
            var length = Http2Frame.Write(buffer, type, flags, streamId, payload.Span);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task TrySendGoAwayAsync(Http2ErrorCode code, string reason)
    {
        var payload = new byte[8 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), (int)code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(8));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await WriteAsync(new Http2Frame(Http2FrameType.GoAway, Http2Flags.None, 0, payload), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is already unusable; the error itself is reported by the caller.
        }
    }

    // grpc-message is percent-encoded outside printable ASCII (gRPC over HTTP/2 protocol, "Responses").
    internal static string PercentEncode(string text)
    {
        var output = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            output.Append(b is >= 0x20 and <= 0x7E and not (byte)'%' ? ((char)b).ToString() : $"%{b:X2}");
        }

        return output.ToString();
    }
}
