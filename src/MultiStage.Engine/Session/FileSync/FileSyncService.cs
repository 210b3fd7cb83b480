using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Context;
using MultiStage.Engine.Session.Http2;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// BuildKit's file sync service (moby/buildkit session/filesync, <c>FileSync/DiffCopy</c>): the builder pulls the
/// build context and the Dockerfile from the client, comparing each file with its copy from the previous build of the
/// same context, so that only new and changed files travel. Each call names the directory it wants
/// (<see cref="ContextDirectory"/>, <see cref="DockerfileDirectory"/>) and narrows it with include, exclude and
/// follow-path lists.
/// </summary>
internal sealed class FileSyncService(IReadOnlyDictionary<string, FileSyncDirectory> directories)
{
    public const string DiffCopyMethod = "/moby.filesync.v1.FileSync/DiffCopy";

    /// <summary>The name the Dockerfile frontend asks for the build context by.</summary>
    public const string ContextDirectory = "context";

    /// <summary>The name the Dockerfile frontend asks for the folder of the Dockerfile by.</summary>
    public const string DockerfileDirectory = "dockerfile";

    /// <summary>What the calls of this session transferred so far.</summary>
    public FileSyncStatistics Statistics { get; } = new();

    public async Task<GrpcReply> DiffCopyAsync(GrpcServerCall call, CancellationToken cancellationToken)
    {
        var request = FileSyncRequest.From(call);
        if (!directories.TryGetValue(request.DirectoryName, out var directory))
        {
            // As the docker CLI's provider answers for a name it does not serve.
            return GrpcReply.Error(GrpcStatus.NotFound, $"no access allowed to dir \"{request.DirectoryName}\"");
        }

        IReadOnlyList<FileSyncEntry> entries;
        try
        {
            entries = directory.Walk(request, cancellationToken);
        }
        catch (Exception ex) when (ex is ContextFileException or DockerIgnoreException)
        {
            Statistics.Fail(ex);
            return GrpcReply.Error(GrpcStatus.Unknown, ex.Message);
        }

        var sender = new DiffCopySender(call, entries);
        try
        {
            await sender.RunAsync(cancellationToken).ConfigureAwait(false);
            return GrpcReply.Done;
        }
        catch (Exception ex) when (ex is ContextFileException or DiffCopyException)
        {
            Statistics.Fail(ex);
            return GrpcReply.Error(GrpcStatus.Unknown, ex.Message);
        }
        finally
        {
            Statistics.Add(request.DirectoryName, entries, sender.FilesSent, sender.DataBytesSent, call.BytesSent);
        }
    }
}
