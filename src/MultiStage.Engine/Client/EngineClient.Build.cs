using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Session;
using MultiStage.Inference;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>The image build: the request, the streamed context and response, and the failures of each.</summary>
public sealed partial class EngineClient
{
    /// <summary>
    /// Builds an image. Progress goes to <paramref name="log"/> like <c>docker build</c> shows it (step output at
    /// <see cref="Verbosity.Detailed"/>); success ends with one summary line. The tags are applied by the engine only
    /// when the build succeeds; a cancelled build leaves none of them changed.
    /// </summary>
    /// <exception cref="EngineException">With an MSTAGE2xx code; see docs/errors-engine.md.</exception>
    public async Task<BuildResult> BuildAsync(BuildRequest request, ILog log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(log);
        var references = CheckBuildRequest(request);
        var stopwatch = Stopwatch.StartNew();

        // Independent requests, sent together from other threads: most of their time is first-use work on this side
        // (loading and compiling the client's code), which then runs on the other cores. The version is awaited first:
        // an engine that cannot be reached is reported as such, and stops the others.
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tagsTask = Task.Run(() => TagSnapshot.TakeAsync(references, TryGetImageIdAsync, siblings.Token), CancellationToken.None);
        // Base images from private registries: the engine pulls them with the credentials sent along, as the CLI does.
        var pullTask = Task.Run(() => PullBaseImagesAsync(request, log, siblings.Token), CancellationToken.None);
        var configTask = Task.Run(() => _registryAuth.ConfigHeaderAsync(log, siblings.Token), CancellationToken.None);
        var infoTask = GetInfoAsync(cancellationToken);
        EngineInfo info;
        TagSnapshot previousTags;
        string? registryConfig;
        bool pulledBaseImages;
        try
        {
            try
            {
                info = await infoTask.ConfigureAwait(false);
            }
            catch
            {
                siblings.Cancel();
                await Settled(tagsTask, pullTask, configTask).ConfigureAwait(false);
                throw;
            }

            // All finished before any failure is reported, so nothing goes on after this build has given up.
            await Settled(tagsTask, pullTask, configTask).ConfigureAwait(false);
            previousTags = await tagsTask.ConfigureAwait(false);
            pulledBaseImages = await pullTask.ConfigureAwait(false);
            registryConfig = await configTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(ex);
        }

        var builder = ChooseBuilder(request.Builder, info);

        // Secrets need a session; the build's client names it in its /build request.
        await using var session = await BuildSession.StartAsync(Endpoint, builder, request.Secrets, cancellationToken).ConfigureAwait(false);
        var buildHeaders = registryConfig is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [RegistryAuthentication.ConfigHeader] = registryConfig };
        using var buildClient = session?.CreateBuildClient(buildHeaders) ?? (registryConfig is null ? null : _clientWithHeaders(buildHeaders));
        var parameters = CreateBuildParameters(request, references, builder, pulledBaseImages);

        log.Info(
            $"Building {(references.Count > 0 ? string.Join(", ", references) : "an untagged image")} with {(builder == BuilderKind.BuildKit ? "BuildKit" : "the classic builder")} on {Endpoint.Uri.OriginalString}",
            Verbosity.Normal);

        using var requestCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        Exception? contextError = null;
        var contextTask = Task.Run(
            async () =>
            {
                try
                {
                    var destination = pipe.Writer.AsStream(leaveOpen: true);
                    await request.Context.WriteTarAsync(destination, requestCancellation.Token).ConfigureAwait(false);
                    await destination.FlushAsync(requestCancellation.Token).ConfigureAwait(false);
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    contextError = ex;
                    await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                }
            },
            CancellationToken.None);

        var parser = new BuildOutputParser(log, builder == BuilderKind.BuildKit ? new BuildKitProgress() : null);
        try
        {
            Stream response;
            try
            {
                // The raw-stream overload is marked obsolete in favour of one that parses each message into JSONMessage,
                // whose object-typed "aux" cannot hold BuildKit's base64 string: the raw stream is read here instead.
#pragma warning disable CS0618
                response = await (buildClient ?? _docker).Images.BuildImageFromDockerfileAsync(pipe.Reader.AsStream(), parameters, requestCancellation.Token).ConfigureAwait(false);
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

        if (parser.Error is not null)
        {
            throw parser.Error;
        }

        var imageId = parser.ImageId ?? parser.ShortImageId;
        if (imageId is null)
        {
            throw new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The Docker engine at {Endpoint.Describe()} ended the build without reporting a result or an error; it may have stopped or restarted during the build. Check the engine's log and that it has enough memory and disk space, then build again.");
        }

        long size;
        try
        {
            var image = await _docker.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
            imageId = image.ID;
            size = image.Size;
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, $"describe the image {imageId} it has just built");
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // The build itself has finished and its tags stay: only the report was cut short.
            throw new EngineException(EngineErrorCodes.BuildCancelled, $"The build was cancelled after the engine had finished it; the image {ShortId(imageId)} and its tags are in place.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }

        stopwatch.Stop();
        log.Info(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Built image {ShortId(imageId)}{(references.Count > 0 ? " tagged " + string.Join(", ", references) : string.Empty)}, {FormatSize(size)}, in {stopwatch.Elapsed.TotalSeconds:0.0}s"),
            Verbosity.Minimal);
        return new BuildResult(imageId, references, size, stopwatch.Elapsed, builder);
    }

    /// <summary>The query of the <c>/build</c> request: every build option the engine receives is set here.</summary>
    private static ImageBuildParameters CreateBuildParameters(BuildRequest request, IReadOnlyList<string> references, BuilderKind builder, bool pulledBaseImages) =>
        new()
        {
            Dockerfile = request.DockerfilePath,
            Tags = references.ToList(),
            BuildArgs = WithInlineCache(request, builder),
            // The engine reads cachefrom as one JSON array; Docker.DotNet repeats the key once per list element, and the
            // engine would then parse the first image name as JSON. One element holding the array gives the one key.
            CacheFrom = request.CacheFrom.Count > 0 ? [System.Text.Json.JsonSerializer.Serialize(request.CacheFrom)] : null,
            Labels = request.Labels.ToDictionary(p => p.Key, p => p.Value),
            Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform,
            Target = string.IsNullOrEmpty(request.TargetStage) ? null : request.TargetStage,
            NetworkMode = string.IsNullOrEmpty(request.NetworkMode) ? null : request.NetworkMode,
            NoCache = request.NoCache ? true : null,
            // Base images just pulled with credentials are fresh; BuildKit would pull them again, anonymously.
            Pull = request.Pull && !(pulledBaseImages && builder == BuilderKind.BuildKit) ? "1" : null,
            Remove = true,
            // The classic builder otherwise keeps the container of a failed step.
            ForceRemove = true,
            // Docker.DotNet passes "version" through: 2 runs BuildKit on the uploaded archive without a client session
            // (verified on Docker 20.10: no session is needed when the context is the request body).
            Version = builder == BuilderKind.BuildKit ? "2" : "1",
        };

    /// <summary>The build arguments, with BuildKit's inline-cache switch when asked for (a value the user gave wins).</summary>
    private static Dictionary<string, string> WithInlineCache(BuildRequest request, BuilderKind builder)
    {
        var args = request.BuildArgs.ToDictionary(p => p.Key, p => p.Value);
        if (request.InlineCache && builder == BuilderKind.BuildKit && !args.ContainsKey(InlineCacheArgument))
        {
            args[InlineCacheArgument] = "1";
        }

        return args;
    }

    /// <summary>The build argument BuildKit reads to write the inline cache metadata into the image's config.</summary>
    public const string InlineCacheArgument = "BUILDKIT_INLINE_CACHE";

    /// <summary>Completes when every task has, whatever its outcome; each task's own result or failure is read afterwards.</summary>
    private static Task Settled(params Task[] tasks) =>
        Task.WhenAll(tasks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static EngineException Cancelled(Exception inner) =>
        new(EngineErrorCodes.BuildCancelled, "The image build was cancelled; the engine stopped it and no tag was changed.", inner);

    /// <summary>The builder a build request for <paramref name="requested"/> will run on, asking the engine when it is Auto.</summary>
    public async Task<BuilderKind> ResolveBuilderAsync(BuilderKind requested, CancellationToken cancellationToken = default) =>
        requested != BuilderKind.Auto ? requested : ChooseBuilder(requested, await GetInfoAsync(cancellationToken).ConfigureAwait(false));

    internal BuilderKind ChooseBuilder(BuilderKind requested, EngineInfo info)
    {
        if (requested != BuilderKind.Auto)
        {
            return requested;
        }

        // As the docker CLI: DOCKER_BUILDKIT decides when set.
        var variable = _environment("DOCKER_BUILDKIT");
        if (!string.IsNullOrEmpty(variable))
        {
            if (variable is "0" or "false" or "False" or "FALSE")
            {
                return BuilderKind.Classic;
            }

            if (variable is "1" or "true" or "True" or "TRUE")
            {
                return BuilderKind.BuildKit;
            }
        }

        return info.SupportsBuildKit ? BuilderKind.BuildKit : BuilderKind.Classic;
    }

    private static IReadOnlyList<string> CheckBuildRequest(BuildRequest request)
    {
        if (request.Context is null)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, "The build request has no build context.");
        }

        if (string.IsNullOrWhiteSpace(request.DockerfilePath))
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, "The build request names no Dockerfile.");
        }

        BuildArguments.Check(request.BuildArgs);

        if (request.Repository is null)
        {
            if (request.Tags.Count > 0)
            {
                throw new EngineException(EngineErrorCodes.InvalidRequest, "Image tags were given without a repository name to apply them to.");
            }

            return [];
        }

        if (ImageReference.CheckRepository(request.Repository) is { } repositoryProblem)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image repository '{request.Repository}' is not valid: {repositoryProblem}.");
        }

        var tags = request.Tags.Count == 0 ? ["latest"] : request.Tags;
        foreach (var tag in tags)
        {
            if (ImageReference.CheckTag(tag) is { } tagProblem)
            {
                throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image tag is not valid: {tagProblem}.");
            }
        }

        return tags.Distinct(StringComparer.Ordinal).Select(tag => $"{request.Repository}:{tag}").ToArray();
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
