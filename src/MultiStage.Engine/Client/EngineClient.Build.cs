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
using MultiStage.Engine.Session.FileSync;
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
        var configTask = Task.Run(() => _registryAuth.ConfigHeaderAsync(log, siblings.Token), CancellationToken.None);
        var infoTask = GetInfoAsync(cancellationToken);
        EngineInfo info;
        TagSnapshot previousTags;
        string? registryConfig;
        try
        {
            try
            {
                info = await infoTask.ConfigureAwait(false);
            }
            catch
            {
                siblings.Cancel();
                await Settled(tagsTask, configTask).ConfigureAwait(false);
                throw;
            }

            // All finished before any failure is reported, so nothing goes on after this build has given up.
            await Settled(tagsTask, configTask).ConfigureAwait(false);
            previousTags = await tagsTask.ConfigureAwait(false);
            registryConfig = await configTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(ex);
        }

        var builder = ChooseBuilder(request.Builder, info);

        // As `docker build`: BuildKit gets a session that serves the build's secrets, the credentials of the registries
        // it pulls base images from, and the context, of which it fetches only what changed since its last build.
        await using var session = await StartSessionAsync(request, builder, log, cancellationToken).ConfigureAwait(false);
        bool pulledBaseImages;
        try
        {
            // Without a session no one could answer the builder's request for credentials: private base images are
            // pulled first, with the credentials sent along, as the CLI's classic builder path does.
            pulledBaseImages = session is null && await PullBaseImagesAsync(request, log, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(ex);
        }

        var buildHeaders = registryConfig is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [RegistryAuthentication.ConfigHeader] = registryConfig };
        using var buildClient = session?.CreateBuildClient(buildHeaders)
            // Buildah keeps every step as an image unless told not to; its cache mounts still hold what a rebuild reuses.
            ?? (builder == BuilderKind.Buildah ? BuildQueryClient.Create(Endpoint, "layers=false", buildHeaders) : null)
            ?? (registryConfig is null ? null : _clientWithHeaders(buildHeaders));
        var parameters = CreateBuildParameters(request, references, builder, pulledBaseImages, info, session?.FileSyncOffer);

        log.Info(
            $"Building {(references.Count > 0 ? string.Join(", ", references) : "an untagged image")} with {BuilderName(builder, info)} on {Endpoint.Uri.OriginalString}{(session?.FileSyncOffer is null ? string.Empty : ", the context synced through a BuildKit session")}",
            Verbosity.Normal);

        var parser = new BuildOutputParser(log, builder == BuilderKind.BuildKit ? new BuildKitProgress() : null, buildah: builder == BuilderKind.Buildah);
        var transfer = await SendBuildRequestAsync(request, parameters, buildClient ?? _docker, session, parser, previousTags, log, cancellationToken).ConfigureAwait(false);

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
            Verbosity.Summary);
        return new BuildResult(imageId, references, size, stopwatch.Elapsed, builder) { Context = transfer, Diagnostics = parser.Diagnostics.All };
    }

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
        // Podman builds with Buildah whatever is asked: no DOCKER_BUILDKIT or builder setting changes that.
        if (info.IsPodman)
        {
            return BuilderKind.Buildah;
        }

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
}
