using System.Buffers.Binary;
using System.Threading.Channels;

namespace MultiStage.Engine.Session.Http2;

/// <summary>
/// One gRPC call on an HTTP/2 stream, from the server's side: its method and metadata, the request messages as they
/// arrive, and the response messages sent back. Unary and streaming calls alike; a streaming call (BuildKit's file
/// sync) reads and sends at the same time.
/// </summary>
internal sealed class GrpcServerCall
{
    /// <summary>gRPC's default limit for a received message; the engine's own messages are far smaller.</summary>
    public const int MaxRequestMessage = 4 * 1024 * 1024;

    private readonly GrpcConnection _connection;
    private readonly Channel<byte[]> _requests = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _reset = new();
    private byte[] _pending = [];
    private int _pendingLength;
    private bool _headersSent;

    public GrpcServerCall(GrpcConnection connection, int streamId, IReadOnlyList<(string Name, string Value)> headers)
    {
        _connection = connection;
        StreamId = streamId;
        Headers = headers;
        Path = headers.FirstOrDefault(h => h.Name == ":path").Value;
    }

    public int StreamId { get; }

    /// <summary>The method, e.g. "/moby.filesync.v1.FileSync/DiffCopy"; null when the peer sent none.</summary>
    public string? Path { get; }

    /// <summary>Every header field of the request in order: pseudo-headers, then gRPC metadata (a key may repeat).</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; }

    /// <summary>Fires when the peer resets the stream: the call is abandoned.</summary>
    public CancellationToken Aborted => _reset.Token;

    /// <summary>Bytes of response messages sent on this call, length prefixes included.</summary>
    public long BytesSent { get; private set; }

    /// <summary>The values of metadata key <paramref name="name"/> (lower case), in the order sent.</summary>
    public IReadOnlyList<string> Values(string name) => Headers.Where(h => h.Name == name).Select(h => h.Value).ToList();

    /// <summary>The next request message, or null once the peer has ended its side of the stream.</summary>
    /// <exception cref="GrpcCallException">The request was not a sequence of uncompressed gRPC messages within the size limit.</exception>
    public async ValueTask<byte[]?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        return await _requests.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _requests.Reader.TryRead(out var message)
            ? message
            : null;
    }

    /// <summary>Sends one response message; the response headers go first, with the first message.</summary>
    /// <returns>False when the peer has reset the stream, so nothing more can be sent.</returns>
    public async Task<bool> SendMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed.AsMemory(5));
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_headersSent)
            {
                await _connection.WriteHeadersAsync(StreamId, GrpcConnection.ResponseHeaders, endStream: false, cancellationToken).ConfigureAwait(false);
                _headersSent = true;
            }

            var sent = await _connection.WriteDataAsync(StreamId, framed, cancellationToken).ConfigureAwait(false);
            BytesSent += framed.Length;
            return sent;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Ends the call with its status: trailers after the messages, or a trailers-only response when none was sent.</summary>
    public async Task CompleteAsync(GrpcStatus status, string? statusMessage, CancellationToken cancellationToken)
    {
        var trailers = new List<(string, string)> { ("grpc-status", ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (statusMessage is not null)
        {
            trailers.Add(("grpc-message", GrpcConnection.PercentEncode(statusMessage)));
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _connection.WriteHeadersAsync(StreamId, _headersSent ? trailers : [.. GrpcConnection.ResponseHeaders, .. trailers], endStream: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>DATA frame content of the request: split into messages as they complete.</summary>
    internal void Receive(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pendingLength + data.Length, _pending.Length * 2));
        }

        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
        var start = 0;
        while (_pendingLength - start >= 5)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(_pending.AsSpan(start + 1));
            if (_pending[start] != 0 || length > MaxRequestMessage)
            {
                _requests.Writer.TryComplete(new GrpcCallException(_pending[start] != 0
                    ? "the request message is compressed, which this side did not offer"
                    : $"a request message of {length} bytes exceeds {MaxRequestMessage}"));
                _pendingLength = 0;
                return;
            }

            if (_pendingLength - start - 5 < length)
            {
                break;
            }

            _requests.Writer.TryWrite(_pending.AsSpan(start + 5, (int)length).ToArray());
            start += 5 + (int)length;
        }

        _pending.AsSpan(start, _pendingLength - start).CopyTo(_pending);
        _pendingLength -= start;
    }

    /// <summary>The peer ended its side of the stream (END_STREAM).</summary>
    internal void EndOfRequest() =>
        _requests.Writer.TryComplete(_pendingLength == 0 ? null : new GrpcCallException("the request ended inside a message"));

    /// <summary>The peer reset the stream (RST_STREAM) or the connection ended.</summary>
    internal void Abort()
    {
        _requests.Writer.TryComplete();
        try
        {
            _reset.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }
}

/// <summary>A request that breaks gRPC's message framing; the call ends with INTERNAL.</summary>
internal sealed class GrpcCallException(string message) : Exception(message);
