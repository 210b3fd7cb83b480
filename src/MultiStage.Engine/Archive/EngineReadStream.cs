namespace MultiStage.Engine.Archive;

/// <summary>
/// A read-only stream over the engine's response that wraps what its reads throw in <see cref="ReadFailure"/>, so a
/// broken transfer is not mistaken for a failure to write the archive on this machine (both are IOExceptions). An
/// empty read is answered here: Docker.DotNet's chunked response stream takes one inside a chunk for the end of the
/// connection, and TarReader makes one to skip the padding of an entry whose size is a multiple of 512.
/// </summary>
internal sealed class EngineReadStream(Stream inner) : Stream
{
    /// <summary>A read of the engine's stream failed; the cause is the inner exception.</summary>
    public sealed class ReadFailure(Exception inner) : Exception(inner.Message, inner);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        try
        {
            return inner.Read(buffer);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ReadFailure(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ReadFailure(ex);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
