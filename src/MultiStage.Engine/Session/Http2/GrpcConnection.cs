using System.Buffers.Binary;
using System.Text;
using MultiStage.Engine.Session.Hpack;

namespace MultiStage.Engine.Session.Http2;

/// <summary>
/// The server side of one HTTP/2 connection (RFC 7540) carrying unary gRPC calls, as the engine opens it on a
/// session: the engine's gRPC client sends the client preface, and each call is one stream. Only what unary calls
/// need is implemented; server push, priorities and request compression are not used by the engine's client.
/// </summary>
internal sealed class GrpcConnection
{
    private static readonly byte[] ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly IReadOnlyDictionary<string, GrpcMethod> _methods;
    private readonly HpackDecoder _decoder = new();
    private readonly SendWindow _sendWindow = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<int, IncomingCall> _calls = new();
    private readonly List<Task> _running = new();
    private int _peerMaxFrame = Http2Frame.DefaultMaxPayload;

    public GrpcConnection(Stream stream, IReadOnlyDictionary<string, GrpcMethod> methods)
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
        IncomingCall? headersInProgress = null;
        while (await Http2Frame.ReadAsync(_stream, Http2Frame.DefaultMaxPayload, cancellationToken).ConfigureAwait(false) is { } frame)
        {
            if (headersInProgress is not null && (frame.Type != Http2FrameType.Continuation || frame.StreamId != headersInProgress.StreamId))
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
                    var call = new IncomingCall(frame.StreamId, frame.Has(Http2Flags.EndStreamOrAck));
                    call.HeaderBlock.Write(frame.Content().Span);
                    _calls[frame.StreamId] = call;
                    _sendWindow.OpenStream(frame.StreamId);
                    headersInProgress = frame.Has(Http2Flags.EndHeaders) ? null : call;
                    if (headersInProgress is null)
                    {
                        HeadersComplete(call, cancellationToken);
                    }

                    break;
                case Http2FrameType.Continuation when headersInProgress is not null:
                    headersInProgress.HeaderBlock.Write(frame.Payload);
                    if (frame.Has(Http2Flags.EndHeaders))
                    {
                        HeadersComplete(headersInProgress, cancellationToken);
                        headersInProgress = null;
                    }

                    break;
                case Http2FrameType.Data:
                    await ReceiveDataAsync(frame, cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.ResetStream:
                    _calls.Remove(frame.StreamId);
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

    private void HeadersComplete(IncomingCall call, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in _decoder.Decode(call.HeaderBlock.ToArray()))
        {
            if (name == ":path")
            {
                call.Path = value;
            }
        }

        if (call.EndOfRequest)
        {
            Dispatch(call, cancellationToken);
        }
    }

    private async Task ReceiveDataAsync(Http2Frame frame, CancellationToken cancellationToken)
    {
        // Every received byte is handed back at once: requests are small and read in full.
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
            call.Body.Write(frame.Content().Span);
            if (frame.Has(Http2Flags.EndStreamOrAck))
            {
                call.EndOfRequest = true;
                Dispatch(call, cancellationToken);
            }
        }
    }

    private void Dispatch(IncomingCall call, CancellationToken cancellationToken)
    {
        _calls.Remove(call.StreamId);
        var task = Task.Run(() => AnswerAsync(call, cancellationToken), CancellationToken.None);
        lock (_running)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }
    }

    private async Task AnswerAsync(IncomingCall call, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await InvokeAsync(call, cancellationToken).ConfigureAwait(false);
            await SendReplyAsync(call.StreamId, reply, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection is going away; the call ends with it.
        }
        finally
        {
            _sendWindow.CloseStream(call.StreamId);
        }
    }

    private async Task<GrpcReply> InvokeAsync(IncomingCall call, CancellationToken cancellationToken)
    {
        if (call.Path is null || !_methods.TryGetValue(call.Path, out var method))
        {
            return GrpcReply.Error(GrpcStatus.Unimplemented, $"unknown method {call.Path}");
        }

        // gRPC length-prefixed message: compressed flag, 4-byte length, message.
        var body = call.Body.ToArray();
        if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
        {
            return GrpcReply.Error(GrpcStatus.InvalidArgument, "the request is not one uncompressed message");
        }

        try
        {
            return await method(body.AsMemory(5), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return GrpcReply.Error(GrpcStatus.Internal, ex.Message);
        }
    }

    private async Task SendReplyAsync(int streamId, GrpcReply reply, CancellationToken cancellationToken)
    {
        var headers = new List<(string, string)> { (":status", "200"), ("content-type", "application/grpc") };
        var trailers = new List<(string, string)> { ("grpc-status", ((int)reply.Status).ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (reply.StatusMessage is not null)
        {
            trailers.Add(("grpc-message", PercentEncode(reply.StatusMessage)));
        }

        if (reply.Message is null)
        {
            // Trailers-only response.
            await WriteHeadersAsync(streamId, [.. headers, .. trailers], endStream: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteHeadersAsync(streamId, headers, endStream: false, cancellationToken).ConfigureAwait(false);
        var message = new byte[5 + reply.Message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), (uint)reply.Message.Length);
        reply.Message.CopyTo(message, 5);
        for (var sent = 0; sent < message.Length;)
        {
            var granted = await _sendWindow.TakeAsync(streamId, Math.Min(message.Length - sent, _peerMaxFrame), cancellationToken).ConfigureAwait(false);
            if (granted == 0)
            {
                return; // The peer reset the stream.
            }

            await WriteAsync(new Http2Frame(Http2FrameType.Data, Http2Flags.None, streamId, message[sent..(sent + granted)]), cancellationToken).ConfigureAwait(false);
            sent += granted;
        }

        await WriteHeadersAsync(streamId, trailers, endStream: true, cancellationToken).ConfigureAwait(false);
    }

    private Task WriteHeadersAsync(int streamId, IEnumerable<(string, string)> fields, bool endStream, CancellationToken cancellationToken)
    {
        // Our header blocks are far below the 16 KiB every peer accepts: one frame, no CONTINUATION.
        var flags = Http2Flags.EndHeaders | (endStream ? Http2Flags.EndStreamOrAck : Http2Flags.None);
        return WriteAsync(new Http2Frame(Http2FrameType.Headers, flags, streamId, HpackEncoder.Encode(fields)), cancellationToken);
    }

    private async Task WriteAsync(Http2Frame frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(frame.ToBytes(), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
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

    private sealed class IncomingCall(int streamId, bool endOfRequest)
    {
        public int StreamId { get; } = streamId;

        public bool EndOfRequest { get; set; } = endOfRequest;

        public string? Path { get; set; }

        public MemoryStream HeaderBlock { get; } = new();

        public MemoryStream Body { get; } = new();
    }
}
