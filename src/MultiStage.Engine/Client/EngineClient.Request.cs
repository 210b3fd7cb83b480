using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Context;
using MultiStage.Engine.Session;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>The build request itself: the context, as an archive or through the session, and the engine's answer.</summary>
public sealed partial class EngineClient
{
    /// <summary>The session of a build on <paramref name="builder"/>, or null when it goes without one.</summary>
    private async Task<BuildSession?> StartSessionAsync(BuildRequest request, BuilderKind builder, ILog log, CancellationToken cancellationToken)
    {
        FileSyncOffer? offer = null;
        if (builder == BuilderKind.BuildKit && request.Context is DirectoryBuildContext directory)
        {
            try
            {
                offer = directory.ForFileSync();
            }
            catch (Exception ex) when (ex is DockerIgnoreException or ContextFileException)
            {
                throw ContextFailure(ex);
            }
        }

        return await BuildSession.StartAsync(Endpoint, builder, new SessionServices(request.Secrets, offer, _registryAuth.ForPull(), log), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the build request and reads its progress to the end. The context goes as a tar archive in the request
    /// body, streamed as it is read, unless the session offers it: then the body is empty and BuildKit fetches the
    /// files it needs during the build.
    /// </summary>
    private async Task<ContextTransfer> SendBuildRequestAsync(BuildRequest request, ImageBuildParameters parameters, DockerClient client, BuildSession? session, BuildOutputParser parser, TagSnapshot previousTags, ILog log, CancellationToken cancellationToken)
    {
        using var requestCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        Exception? contextError = null;
        long archiveBytes = 0;
        Task contextTask;
        if (session?.FileSyncOffer is not null)
        {
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            contextTask = Task.CompletedTask;
        }
        else
        {
            contextTask = Task.Run(
                async () =>
                {
                    try
                    {
                        var destination = new CountingWriteStream(pipe.Writer.AsStream(leaveOpen: true));
                        await request.Context.WriteTarAsync(destination, requestCancellation.Token).ConfigureAwait(false);
                        await destination.FlushAsync(requestCancellation.Token).ConfigureAwait(false);
                        archiveBytes = destination.BytesWritten;
                        await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        contextError = ex;
                        await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                    }
                },
                CancellationToken.None);
        }

        try
        {
            Stream response;
            try
            {
                // The raw-stream overload is marked obsolete in favour of one that parses each message into JSONMessage,
                // whose object-typed "aux" cannot hold BuildKit's base64 string: the raw stream is read here instead.
#pragma warning disable CS0618
                response = await client.Images.BuildImageFromDockerfileAsync(pipe.Reader.AsStream(), parameters, requestCancellation.Token).ConfigureAwait(false);
#pragma warning restore CS0618
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw BuildRequestFailure(ex, contextError);
            }

            await using (response.ConfigureAwait(false))
            {
                await ReadBuildStreamAsync(response, parser, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not EngineException { Code: EngineErrorCodes.ContextUnreadable })
        {
            await previousTags.RestoreAsync(_docker.Images, log).ConfigureAwait(false);
            throw Cancelled(ex);
        }
        finally
        {
            // The engine can answer before it has read the whole context (an early error): stop the writer.
            requestCancellation.Cancel();
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await contextTask.ConfigureAwait(false);
        }

        if (contextError is not null and not OperationCanceledException)
        {
            throw ContextFailure(contextError);
        }

        if (session?.FileSync is not { } synced)
        {
            var archive = (request.Context as DirectoryBuildContext)?.LastResult;
            return new ContextTransfer(false, archiveBytes, archive?.Files, archiveBytes, archive?.Files);
        }

        // A file that could not be read fails the build on the engine's side too; the local reason is the useful one.
        if (synced.FirstFailure is ContextFileException unreadable)
        {
            throw ContextFailure(unreadable);
        }

        if (parser.Error is not null && synced.FirstFailure is DiffCopyException broken)
        {
            throw new EngineException(
                EngineErrorCodes.FileSyncFailed,
                $"BuildKit's transfer of the build context through the session failed: {broken.Message.TrimEnd('.')} (the engine reported: {parser.Error.Message.TrimEnd('.')}). Build again; if it fails the same way, report it with the engine's version.",
                parser.Error);
        }

        var offered = synced.LargestContextOffer;
        if (offered is not null)
        {
            (request.Context as DirectoryBuildContext)?.WarnIfLarge(offered);
        }

        log.Info(
            $"Build context synced through the session: {synced.FilesSent} changed file(s) of {synced.ContextFiles} sent ({synced.Transfers} file transfer(s) in {synced.Calls} call(s), the Dockerfile's included), {FormatSize(synced.DataBytesSent)} of content, {FormatSize(synced.BytesSent)} in all.",
            Verbosity.Detailed);
        return new ContextTransfer(true, synced.BytesSent, synced.FilesSent, offered?.BytesWritten ?? 0, synced.ContextFiles);
    }

    private async Task ReadBuildStreamAsync(Stream response, BuildOutputParser parser, CancellationToken cancellationToken)
    {
        // Reads on the engine's socket do not all observe a token: closing the stream is what stops them.
        await using var registration = cancellationToken.Register(static state => ((Stream)state!).Dispose(), response).ConfigureAwait(false);
        using var reader = new StreamReader(response, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                parser.FeedLine(line);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not EngineException && EngineFailures.IsConnectionLoss(ex))
        {
            parser.Complete();
            if (parser.Error is not null)
            {
                // The engine reported the error and then closed the connection: the error is what matters.
                return;
            }

            throw new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The connection to the Docker engine at {Endpoint.Describe()} broke during the build ({ex.Message.TrimEnd('.')}); the engine may have stopped or restarted. Check the engine's log, then build again.",
                ex);
        }

        parser.Complete();
    }

    private EngineException BuildRequestFailure(Exception ex, Exception? contextError)
    {
        if (contextError is not null and not OperationCanceledException)
        {
            return ContextFailure(contextError);
        }

        if (ex is DockerApiException api)
        {
            var message = EngineFailures.EngineMessage(api.ResponseBody) ?? api.StatusCode.ToString();
            var parser = new BuildOutputParser(NullLog.Instance, null);
            if (message.Contains("Cannot locate specified Dockerfile", StringComparison.OrdinalIgnoreCase)
                || message.Contains("failed to read dockerfile", StringComparison.OrdinalIgnoreCase))
            {
                parser.FeedLine(JsonSerializer.Serialize(new { errorDetail = new { message } }));
                return parser.Error!;
            }

            if (api.StatusCode == HttpStatusCode.BadRequest)
            {
                return new EngineException(EngineErrorCodes.InvalidRequest, $"The Docker engine rejected the build request: {message.TrimEnd('.')}. Check the build options (platform, target stage, build arguments).", ex);
            }

            return EngineFailures.Api(api, "start the build");
        }

        return EngineFailures.Connection(ex, Endpoint)
            ?? new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The build request to the Docker engine at {Endpoint.Describe()} failed: {ex.Message.TrimEnd('.')}. Check that the engine is running and healthy, then build again.",
                ex);
    }

    private static EngineException ContextFailure(Exception ex)
    {
        var advice = ex switch
        {
            DockerIgnoreException => "Fix the pattern in .dockerignore",
            DirectoryNotFoundException => "Check the build context directory",
            IOException when EngineFailures.IsDiskFull(ex.Message) => "Free space on the disk that holds it",
            _ => "Fix the file's permissions, or exclude it in .dockerignore if the image does not need it",
        };
        return new EngineException(
            EngineErrorCodes.ContextUnreadable,
            $"The build context could not be sent: {ex.Message.TrimEnd('.')}. {advice}.",
            ex);
    }
}
