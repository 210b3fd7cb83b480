using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>Writes the build context, as a tar archive, to the stream the engine reads.</summary>
public interface IBuildContextSource
{
    /// <summary>Writes the whole archive to <paramref name="destination"/> and leaves it open.</summary>
    Task WriteTarAsync(Stream destination, CancellationToken cancellationToken);
}

/// <summary>One image build.</summary>
public sealed record BuildRequest
{
    /// <summary>The build context archive.</summary>
    public required IBuildContextSource Context { get; init; }

    /// <summary>Path of the Dockerfile inside the context, slash-separated.</summary>
    public string DockerfilePath { get; init; } = WellKnownNames.Dockerfile;

    /// <summary>Repository the tags apply to (e.g. "registry:5000/team/app"); null builds an untagged image.</summary>
    public string? Repository { get; init; }

    /// <summary>Tags of <see cref="Repository"/> the engine applies when, and only when, the build succeeds.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Target platform such as "linux/amd64"; null for the engine's own.</summary>
    public string? Platform { get; init; }

    /// <summary>Stage of a multi-stage Dockerfile to stop at; null builds the last stage.</summary>
    public string? TargetStage { get; init; }

    /// <summary>Network of RUN steps ("default", "host", "none"); null leaves the engine's default (a bridge network).</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Ignore the build cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Always look for a newer base image in its registry.</summary>
    public bool Pull { get; init; }

    /// <summary>
    /// The images the Dockerfile builds FROM, when the caller knows them. When the build has no session (the classic
    /// builder, an engine that refuses sessions), those the engine does not have (all of them with <see cref="Pull"/>)
    /// are pulled before the build with the docker configuration's credentials. With a session BuildKit pulls them
    /// itself and asks the session for the credentials.
    /// </summary>
    public IReadOnlyList<string> BaseImages { get; init; } = [];

    public BuilderKind Builder { get; init; } = BuilderKind.Auto;

    /// <summary>
    /// Images whose layers may serve as build cache (the <c>cachefrom</c> query), typically the previous build's image
    /// in a registry: on a runner that starts with an empty build cache, the steps they hold are pulled, not run.
    /// </summary>
    public IReadOnlyList<string> CacheFrom { get; init; } = [];

    /// <summary>
    /// Write BuildKit's inline cache metadata into the image (the <c>BUILDKIT_INLINE_CACHE=1</c> build argument), so a
    /// later build can name the pushed image in <see cref="CacheFrom"/>. The only cache export the Engine API's
    /// <c>/build</c> offers; the classic builder needs none (its images carry their layer history).
    /// </summary>
    public bool InlineCache { get; init; }

    /// <summary>
    /// Secrets by id, for <c>RUN --mount=type=secret,id=…</c> steps. They go to BuildKit through a session the
    /// client opens for the build, never into the build context or an image layer; the classic builder cannot take them.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Secrets { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>A successful build.</summary>
/// <param name="ImageId">The image id, "sha256:…".</param>
/// <param name="Tags">The references applied, "repository:tag".</param>
/// <param name="Size">Image size in bytes, as the engine reports it.</param>
/// <param name="Duration">Wall time of the build request.</param>
/// <param name="Builder">The builder that ran (BuildKit or Classic).</param>
public sealed record BuildResult(string ImageId, IReadOnlyList<string> Tags, long Size, TimeSpan Duration, BuilderKind Builder)
{
    /// <summary>How the build context reached the engine; null when not known.</summary>
    public ContextTransfer? Context { get; init; }

    /// <summary>The warnings (compiler, MSBuild, NuGet) the build's steps printed, paths as the build stage saw them.</summary>
    public IReadOnlyList<BuildOutput.BuildDiagnostic> Diagnostics { get; init; } = [];
}

/// <summary>How a build's context reached the engine.</summary>
/// <param name="Synced">True when BuildKit fetched it through the session (only new and changed files travel); false for an archive in the request body.</param>
/// <param name="BytesSent">Bytes sent for it: the archive, or every file sync message with its framing.</param>
/// <param name="FilesSent">Files whose content was sent; null when not known.</param>
/// <param name="ContextBytes">Size of the context's files (of the archive, when sent as one).</param>
/// <param name="ContextFiles">Files in the context; null when not known.</param>
public sealed record ContextTransfer(bool Synced, long BytesSent, int? FilesSent, long ContextBytes, int? ContextFiles);

/// <summary>What the engine says about itself.</summary>
public sealed record EngineInfo(string ServerVersion, string ApiVersion, string OperatingSystem, string Architecture)
{
    /// <summary>
    /// The version of Podman when the engine is Podman (its /version names a "Podman Engine" component); null for
    /// Docker. Podman answers the Docker API and builds with Buildah, whatever API version it reports.
    /// </summary>
    public string? PodmanVersion { get; init; }

    /// <summary>Whether the engine is Podman.</summary>
    public bool IsPodman => PodmanVersion is not null;

    /// <summary>BuildKit needs API 1.39 (Docker 18.09) on a Linux engine that is Docker (Podman has no BuildKit).</summary>
    public bool SupportsBuildKit =>
        !IsPodman
        && string.Equals(OperatingSystem, "linux", StringComparison.OrdinalIgnoreCase)
        && Version.TryParse(ApiVersion, out var api) && api >= new Version(1, 39);
}
