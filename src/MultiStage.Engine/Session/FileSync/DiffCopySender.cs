using System.Threading.Channels;
using Google.Protobuf;
using MultiStage.Engine.Context;
using MultiStage.Engine.Session.Http2;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// The sending side of fsutil's DiffCopy protocol (tonistiigi/fsutil send.go) on one call: a STAT packet per entry,
/// numbered from 0 in the order sent, then an empty STAT; BuildKit compares them with its copy from the previous
/// build and asks, with a REQ packet naming the number, for each regular file that is new or changed; each asked-for
/// file goes back as DATA packets of up to 32 KiB and an empty DATA packet; BuildKit's FIN, once it has all it asked
/// for, is answered with FIN and the call ends. An ERR packet from either side ends the transfer.
/// </summary>
internal sealed class DiffCopySender
{
    /// <summary>fsutil's chunk size.</summary>
    public const int ChunkSize = 32 * 1024;

    private readonly GrpcServerCall _call;
    private readonly IReadOnlyList<FileSyncEntry> _entries;
    private readonly Channel<uint> _requested = Channel.CreateUnbounded<uint>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public DiffCopySender(GrpcServerCall call, IReadOnlyList<FileSyncEntry> entries)
    {
        _call = call;
        _entries = entries;
    }

    /// <summary>The regular files BuildKit asked for and got, in the order sent.</summary>
    public List<FileSyncEntry> FilesSent { get; } = new();

    /// <summary>Bytes of file content sent.</summary>
    public long DataBytesSent { get; private set; }

    /// <summary>Runs the exchange to BuildKit's FIN.</summary>
    /// <exception cref="DiffCopyException">BuildKit reported an error, broke the protocol or ended the call early.</exception>
    /// <exception cref="ContextFileException">A file could not be read; BuildKit was told with an ERR packet.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = Task.Run(() => ReceiveAsync(stop.Token), CancellationToken.None);
        var sending = Task.Run(() => SendAsync(stop.Token), CancellationToken.None);
        try
        {
            // The receiving side ends the exchange: at BuildKit's FIN, its ERR, or the end of its stream.
            var finished = await Task.WhenAny(receiving, sending).ConfigureAwait(false);
            await finished.ConfigureAwait(false);
            if (finished == sending)
            {
                await receiving.ConfigureAwait(false);
            }
        }
        catch (ContextFileException ex)
        {
            await TrySendAsync(new Packet { Type = Packet.Types.PacketType.PacketErr, Data = ByteString.CopyFromUtf8(ex.Message) }).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _requested.Writer.TryComplete();
            await Task.WhenAll(receiving, sending).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            byte[]? message;
            try
            {
                message = await _call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcCallException ex)
            {
                throw new DiffCopyException(ex.Message);
            }

            if (message is null)
            {
                throw new DiffCopyException("the engine ended the file transfer before it was complete");
            }

            var packet = Packet.Parser.ParseFrom(message);
            switch (packet.Type)
            {
                case Packet.Types.PacketType.PacketReq:
                    if (packet.ID >= _entries.Count || !_entries[(int)packet.ID].IsRegularFile)
                    {
                        throw new DiffCopyException($"the engine asked for entry {packet.ID}, which is not a file that was offered");
                    }

                    await _requested.Writer.WriteAsync(packet.ID, cancellationToken).ConfigureAwait(false);
                    break;
                case Packet.Types.PacketType.PacketFin:
                    await SendPacketAsync(new Packet { Type = Packet.Types.PacketType.PacketFin }, cancellationToken).ConfigureAwait(false);
                    return;
                case Packet.Types.PacketType.PacketErr:
                    throw new DiffCopyException($"error from the engine: {packet.Data.ToStringUtf8()}");
            }
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            await SendPacketAsync(new Packet { Type = Packet.Types.PacketType.PacketStat, Stat = _entries[i].Stat }, cancellationToken).ConfigureAwait(false);
        }

        await SendPacketAsync(new Packet { Type = Packet.Types.PacketType.PacketStat }, cancellationToken).ConfigureAwait(false);

        // Files go out one at a time, in the order asked for: BuildKit writes each to disk as its data arrives.
        var buffer = new byte[ChunkSize];
        await foreach (var id in _requested.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await SendFileAsync(id, _entries[(int)id], buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendFileAsync(uint id, FileSyncEntry entry, byte[] buffer, CancellationToken cancellationToken)
    {
        if (entry.Content is { } content)
        {
            for (var offset = 0; offset < content.Length; offset += ChunkSize)
            {
                await SendDataAsync(id, content.AsMemory(offset, Math.Min(ChunkSize, content.Length - offset)), cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            FileStream file;
            try
            {
                file = new FileStream(entry.FullPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ContextFileException(entry.FullPath!, entry.Path, e);
            }

            await using (file.ConfigureAwait(false))
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw new ContextFileException(entry.FullPath!, entry.Path, e);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    await SendDataAsync(id, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // The empty DATA packet closes the file on the receiving side.
        await SendPacketAsync(new Packet { Type = Packet.Types.PacketType.PacketData, ID = id }, cancellationToken).ConfigureAwait(false);
        FilesSent.Add(entry);
    }

    private async Task SendDataAsync(uint id, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await SendPacketAsync(new Packet { Type = Packet.Types.PacketType.PacketData, ID = id, Data = ByteString.CopyFrom(data.Span) }, cancellationToken).ConfigureAwait(false);
        DataBytesSent += data.Length;
    }

    private async Task SendPacketAsync(Packet packet, CancellationToken cancellationToken)
    {
        if (!await _call.SendMessageAsync(packet.ToByteArray(), cancellationToken).ConfigureAwait(false))
        {
            throw new DiffCopyException("the engine ended the file transfer before it was complete");
        }
    }

    private async Task TrySendAsync(Packet packet)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _call.SendMessageAsync(packet.ToByteArray(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or DiffCopyException)
        {
            // The call is already unusable; the error itself is reported by the caller.
        }
    }
}

/// <summary>The engine's side of a DiffCopy exchange failed or broke the protocol.</summary>
internal sealed class DiffCopyException(string message) : Exception(message);
