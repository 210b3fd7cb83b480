using System.Globalization;
using MultiStage.Engine.Registry;
using MultiStage.Inference;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>One platform's image of a multi-platform build.</summary>
/// <param name="Platform">The platform it was built for.</param>
/// <param name="ImageId">Its image id in the engine.</param>
/// <param name="Reference">"repository:tag-arch", the local tag it was built under (and pushed as, with a registry).</param>
/// <param name="Pushed">Its manifest in the registry; null without a registry.</param>
public sealed record PlatformImage(ContainerPlatform Platform, string ImageId, string Reference, ManifestDescriptor? Pushed);

/// <summary>A multi-platform build.</summary>
/// <param name="Images">Each platform's image, in the order asked.</param>
/// <param name="LocalImageId">The image of the engine's own platform, tagged with the requested tags; null when none was built.</param>
/// <param name="LocalReferences">"repository:tag" for each requested tag, when <paramref name="LocalImageId"/> is set.</param>
/// <param name="PushedIndexes">"registry/repository:tag@digest" of each index stored; empty without a registry.</param>
public sealed record MultiPlatformResult(IReadOnlyList<PlatformImage> Images, string? LocalImageId, IReadOnlyList<string> LocalReferences, IReadOnlyList<string> PushedIndexes)
{
    /// <summary>The build stage's warnings, of the first platform's build (every platform compiles the same sources).</summary>
    public IReadOnlyList<BuildOutput.BuildDiagnostic> Diagnostics { get; init; } = [];
}

public sealed partial class EngineClient
{
    /// <summary>
    /// Builds <paramref name="request"/> once per platform (BuildKit runs the build stage on the engine's own platform
    /// and publishes for TARGETARCH, so no emulation is needed), each under "tag-arch". With <paramref name="registry"/>,
    /// pushes each and stores for every requested tag an index naming each platform's manifest. The engine's own
    /// platform's image gets the requested tags locally: Docker's image store holds one image per tag, never an index.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE248 without BuildKit; the codes of a build, a push and MSTAGE246/247, MSTAGE300–308 of the index.</exception>
    public async Task<MultiPlatformResult> BuildPlatformsAsync(
        BuildRequest request,
        IReadOnlyList<ContainerPlatform> platforms,
        string? registry,
        ILog log,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(log);
        var info = await GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var builder = ChooseBuilder(request.Builder, info);
        if (builder != BuilderKind.BuildKit)
        {
            throw new EngineException(
                EngineErrorCodes.MultiPlatformNeedsBuildKit,
                $"ContainerRuntimeIdentifiers asks for {platforms.Count} platforms, and {BuilderName(builder, info)} of the engine at {Endpoint.Describe()} cannot build them: the build stage needs BuildKit's FROM --platform and TARGETARCH to cross-publish without emulation. Use Docker 18.09 or later with BuildKit (unset DOCKER_BUILDKIT=0 and MultiStageBuilder=Classic), or build one platform with MultiStagePlatform.");
        }

        var repository = request.Repository ?? throw new EngineException(EngineErrorCodes.InvalidRequest, "A multi-platform build needs a repository name.");
        var tags = request.Tags.Count == 0 ? ["latest"] : request.Tags;
        var engineArchitecture = info.Architecture;
        var images = new List<PlatformImage>();
        string? pushedRepository = null;
        IReadOnlyList<BuildOutput.BuildDiagnostic>? diagnostics = null;
        foreach (var platform in platforms)
        {
            var platformTag = PlatformTag(tags[0], platform);
            log.Info($"Building {repository}:{platformTag} for {platform}", Verbosity.Minimal);
            var built = await BuildAsync(request with { Platform = platform.BuildPlatform, Tags = [platformTag], Builder = builder }, log, cancellationToken).ConfigureAwait(false);
            diagnostics ??= built.Diagnostics;
            ManifestDescriptor? pushed = null;
            if (!string.IsNullOrWhiteSpace(registry))
            {
                var push = await PushAsync(repository, [platformTag], registry, null, log, cancellationToken).ConfigureAwait(false);
                pushedRepository = push.Repository;
                pushed = new ManifestDescriptor("", push.Tags[0].Digest, push.Tags[0].Size);
            }

            images.Add(new PlatformImage(platform, built.ImageId, $"{repository}:{platformTag}", pushed));
        }

        var local = images.FirstOrDefault(i => i.Platform.Os == info.OperatingSystem && i.Platform.Architecture == engineArchitecture);
        var localReferences = new List<string>();
        if (local is not null)
        {
            foreach (var tag in tags)
            {
                await TagForPushAsync(local.ImageId, repository, tag, cancellationToken).ConfigureAwait(false);
                localReferences.Add($"{repository}:{tag}");
            }
        }
        else
        {
            log.Warning(
                EngineErrorCodes.EnginePlatformNotBuilt,
                $"None of the platforms built ({string.Join(", ", platforms)}) is the engine's own ({info.OperatingSystem}/{engineArchitecture}): no local image is tagged {repository}:{tags[0]}. The platform images are {string.Join(", ", images.Select(i => i.Reference))}.");
        }

        if (pushedRepository is null)
        {
            log.Warning(
                EngineErrorCodes.MultiPlatformNotPushed,
                $"No ContainerRegistry: the {platforms.Count} platform images stay in the engine as {string.Join(", ", images.Select(i => i.Reference))}, and no multi-platform image exists, since Docker's image store cannot hold an image index. Set ContainerRegistry to push them and their index.");
            return new MultiPlatformResult(images, local?.ImageId, localReferences, []) { Diagnostics = diagnostics ?? [] };
        }

        IReadOnlyList<string> indexes;
        try
        {
            indexes = await PushIndexAsync(pushedRepository, tags, images, log, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new EngineException(EngineErrorCodes.PushCancelled, $"The push of the image index of {pushedRepository} was cancelled; the platform images are pushed, and a tag may still name the previous image.", ex);
        }

        return new MultiPlatformResult(images, local?.ImageId, localReferences, indexes) { Diagnostics = diagnostics ?? [] };
    }

    /// <summary>"tag-arch" ("latest-amd64", "latest-arm64", "1.0-armv7"): a valid tag for every valid tag of 120 characters or fewer.</summary>
    public static string PlatformTag(string tag, ContainerPlatform platform) =>
        $"{tag}-{platform.Architecture}{(platform.Architecture == "arm" ? platform.Variant : "")}";

    /// <summary>Reads each pushed manifest's descriptor back from the registry, then stores the index under every tag.</summary>
    private async Task<IReadOnlyList<string>> PushIndexAsync(string pushedRepository, IReadOnlyList<string> tags, List<PlatformImage> images, ILog log, CancellationToken cancellationToken)
    {
        var (registryHost, path) = ImageReference.SplitRegistry(pushedRepository);
        registryHost ??= "docker.io";
        var credentials = await _registryAuth.ForPush().ResolveAsync(registryHost, cancellationToken).ConfigureAwait(false);
        using var client = await OpenRegistryAsync(registryHost, credentials, cancellationToken).ConfigureAwait(false);
        // Docker Hub's official images live under library/.
        var apiPath = RegistryClient.ApiHost(registryHost) != registryHost && !path.Contains('/', StringComparison.Ordinal) ? "library/" + path : path;

        var entries = new List<(ManifestDescriptor, ContainerPlatform)>();
        for (var i = 0; i < images.Count; i++)
        {
            // The engine reports the digest of the push; the registry says the media type (Docker v2 or OCI) and size.
            var descriptor = await client.HeadManifestAsync(apiPath, images[i].Pushed!.Digest, cancellationToken).ConfigureAwait(false);
            images[i] = images[i] with { Pushed = descriptor };
            entries.Add((descriptor, images[i].Platform));
        }

        var document = ImageIndex.Create(entries);
        var mediaType = ImageIndex.MediaTypeFor(entries.Select(e => e.Item1));
        var pushed = new List<string>();
        foreach (var tag in tags)
        {
            var digest = await client.PutManifestAsync(apiPath, tag, mediaType, document, cancellationToken).ConfigureAwait(false);
            var reference = $"{pushedRepository}:{tag}";
            log.Info(string.Create(CultureInfo.InvariantCulture, $"Pushed {reference} ({digest}): an index of {string.Join(", ", images.Select(i => i.Platform))}"), Verbosity.Minimal);
            pushed.Add($"{reference}@{digest}");
        }

        return pushed;
    }

    /// <summary>
    /// A client of the registry's HTTP API, over HTTPS unless the engine treats the registry as insecure; then, as the
    /// engine does, HTTPS without certificate checks when the registry answers it, else plain HTTP.
    /// </summary>
    internal async Task<RegistryClient> OpenRegistryAsync(string registry, RegistryCredentials? credentials, CancellationToken cancellationToken)
    {
        var apiHost = RegistryClient.ApiHost(registry);
        Docker.DotNet.Models.SystemInfoResponse system;
        try
        {
            system = await _docker.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Docker.DotNet.DockerApiException ex)
        {
            throw EngineFailures.Api(ex, "report its registry settings");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }

        var config = system.RegistryConfig;
        var insecure = config is not null && InsecureRegistries.IsInsecure(
            registry,
            config.IndexConfigs?.Where(p => p.Value is { Secure: false }).Select(p => p.Key) ?? [],
            config.InsecureRegistryCIDRs?.Select(c => c?.ToString() ?? "") ?? []);
        if (!insecure)
        {
            return new RegistryClient(registry, new Uri($"https://{apiHost}/"), credentials);
        }

        var https = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using (var probe = new HttpClient(https, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) })
        {
            try
            {
                using var answer = await probe.GetAsync(new Uri($"https://{apiHost}/v2/"), cancellationToken).ConfigureAwait(false);
                return new RegistryClient(registry, new Uri($"https://{apiHost}/"), credentials, https);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                https.Dispose();
            }
        }

        return new RegistryClient(registry, new Uri($"http://{apiHost}/"), credentials);
    }
}
