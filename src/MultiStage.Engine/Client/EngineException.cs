namespace MultiStage.Engine.Client;

/// <summary>
/// The one failure type of the engine client. <see cref="Exception.Message"/> says what went wrong and what to do;
/// it is written for the user and never carries a stack trace or a credential.
/// </summary>
public sealed class EngineException : Exception
{
    public EngineException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>A documented MSTAGE2xx (engine, build) or MSTAGE3xx (push, registry) code; see docs/errors-engine.md.</summary>
    public string Code { get; }

    /// <summary>For a failed Dockerfile step: the step as the builder names it.</summary>
    public string? Step { get; init; }

    /// <summary>For a failed Dockerfile step: the exit code of its command, when the builder reports it.</summary>
    public int? ExitCode { get; init; }

    /// <summary>For a failed Dockerfile step: the last lines the step printed.</summary>
    public IReadOnlyList<string> LastOutputLines { get; init; } = [];

    /// <summary>The compiler, MSBuild and NuGet errors and warnings the build's steps printed, paths as the build stage saw them.</summary>
    public IReadOnlyList<BuildOutput.BuildDiagnostic> Diagnostics { get; internal set; } = [];
}

/// <summary>The codes <see cref="EngineException"/> carries. Each is documented in docs/errors-engine.md.</summary>
public static class EngineErrorCodes
{
    /// <summary>The engine cannot be reached at the endpoint tried.</summary>
    public const string EngineUnreachable = "MSTAGE200";

    /// <summary>The engine socket exists but this user may not open it.</summary>
    public const string SocketPermissionDenied = "MSTAGE201";

    /// <summary>The TLS connection to the engine failed, or its certificate files cannot be used.</summary>
    public const string EngineTls = "MSTAGE202";

    /// <summary>The engine endpoint setting (override, DOCKER_HOST, context) is not usable.</summary>
    public const string EndpointInvalid = "MSTAGE203";

    /// <summary>The engine refused or failed a request for a reason not covered by another code.</summary>
    public const string EngineApiError = "MSTAGE204";

    /// <summary>A Dockerfile step (RUN) failed.</summary>
    public const string StepFailed = "MSTAGE210";

    /// <summary>A base image (FROM) cannot be pulled or found.</summary>
    public const string BaseImageUnavailable = "MSTAGE211";

    /// <summary>The build failed for another reason the engine reported (Dockerfile syntax, missing COPY source, unknown stage).</summary>
    public const string BuildFailed = "MSTAGE212";

    /// <summary>The engine connection ended before the build or push finished.</summary>
    public const string EngineConnectionLost = "MSTAGE213";

    /// <summary>The build context could not be read or packed.</summary>
    public const string ContextUnreadable = "MSTAGE214";

    /// <summary>The build was cancelled.</summary>
    public const string BuildCancelled = "MSTAGE215";

    /// <summary>The Dockerfile named in the request is not in the build context.</summary>
    public const string DockerfileNotFound = "MSTAGE216";

    /// <summary>An image name, repository, tag or build option is not valid.</summary>
    public const string InvalidRequest = "MSTAGE217";

    /// <summary>A superseded image of a series (an inner loop's dependencies image) could not be removed (warning).</summary>
    public const string StaleImageNotRemoved = "MSTAGE218";

    /// <summary>Build secrets were given for a build the classic builder runs: only BuildKit mounts secrets.</summary>
    public const string SecretsNeedBuildKit = "MSTAGE219";

    /// <summary>The engine refused or broke the session (POST /session) that delivers build secrets.</summary>
    public const string SessionFailed = "MSTAGE220";

    /// <summary>A build argument (MultiStageBuildArg) is given twice, or its name or value cannot be sent.</summary>
    public const string InvalidBuildArgument = "MSTAGE221";

    /// <summary>The build context sent to the engine is larger than the warning size (warning).</summary>
    public const string LargeBuildContext = "MSTAGE222";

    /// <summary>A local file the build reads (the Dockerfile, the context) could not be read: missing, no permission, disk error.</summary>
    public const string LocalFileFailed = "MSTAGE223";

    /// <summary>LocalRegistry names neither Docker nor Podman.</summary>
    public const string LocalRegistryInvalid = "MSTAGE227";

    /// <summary>A build step has no network, or cannot resolve or reach a host (no bridge network, DNS, proxy).</summary>
    public const string BuildNetworkUnavailable = "MSTAGE228";

    /// <summary>A base image's registry asked for credentials the engine did not have.</summary>
    public const string BaseImageUnauthorized = "MSTAGE229";

    /// <summary>The engine ran out of disk space during the build.</summary>
    public const string BuildDiskFull = "MSTAGE230";

    /// <summary>The build stage's restore, compile or publish reported errors.</summary>
    public const string BuildStageCompileFailed = "MSTAGE231";

    /// <summary>An image or program of another platform than the engine's or the requested one.</summary>
    public const string BuildPlatformMismatch = "MSTAGE232";

    /// <summary>BuildKit's transfer of the build context through the session failed (a protocol error on either side).</summary>
    public const string FileSyncFailed = "MSTAGE239";

    /// <summary>BuildKit asked the session for a registry's credentials and they could not be read (warning).</summary>
    public const string SessionCredentialsUnavailable = "MSTAGE240";

    /// <summary>ContainerImageFormat names neither Docker nor OCI.</summary>
    public const string InvalidImageFormat = "MSTAGE241";

    /// <summary>ContainerImageFormat without ContainerArchiveOutputPath: the engine chooses the format it pushes (warning, raised by Sdk.targets).</summary>
    public const string ImageFormatWithoutArchive = "MSTAGE242";

    /// <summary>The image archive (ContainerArchiveOutputPath) could not be written on this machine.</summary>
    public const string ArchiveNotWritten = "MSTAGE243";

    /// <summary>The engine's export of the image to archive failed or is not an image archive.</summary>
    public const string ArchiveExportFailed = "MSTAGE244";

    /// <summary>A build step failed with compiler, MSBuild or NuGet errors, which are reported each at its own file and line.</summary>
    public const string BuildStageErrors = "MSTAGE233";

    /// <summary>MultiStageCacheFrom holds a value that is not an image reference.</summary>
    public const string InvalidCacheFrom = "MSTAGE224";

    /// <summary>MultiStageCacheTo asks for a cache export the Engine API's /build cannot make (only 'inline').</summary>
    public const string UnsupportedCacheTo = "MSTAGE225";

    /// <summary>The registry asked for credentials and none, or wrong ones, were given.</summary>
    public const string RegistryUnauthorized = "MSTAGE300";

    /// <summary>The registry accepted the credentials but refused access to the repository.</summary>
    public const string RegistryDenied = "MSTAGE301";

    /// <summary>The registry answered with a server error (5xx).</summary>
    public const string RegistryServerError = "MSTAGE302";

    /// <summary>The engine cannot reach the registry.</summary>
    public const string RegistryUnreachable = "MSTAGE303";

    /// <summary>A docker credential helper could not be run or failed.</summary>
    public const string CredentialHelperFailed = "MSTAGE304";

    /// <summary>The image or tag to push does not exist in the engine.</summary>
    public const string PushImageNotFound = "MSTAGE305";

    /// <summary>The push failed for another reason the engine or registry reported.</summary>
    public const string PushFailed = "MSTAGE306";

    /// <summary>The push was cancelled.</summary>
    public const string PushCancelled = "MSTAGE307";

    /// <summary>Warning: a multi-platform build without ContainerRegistry; only the engine's own platform is tagged locally.</summary>
    public const string MultiPlatformNotPushed = "MSTAGE245";

    /// <summary>The registry refused a manifest request of the image index (not an authentication failure).</summary>
    public const string ImageIndexRefused = "MSTAGE246";

    /// <summary>The registry's token service (bearer challenge) refused or failed to give a token.</summary>
    public const string RegistryTokenFailed = "MSTAGE247";

    /// <summary>A multi-platform build needs BuildKit (TARGETARCH, FROM --platform); the engine has none.</summary>
    public const string MultiPlatformNeedsBuildKit = "MSTAGE248";

    /// <summary>Warning: none of ContainerRuntimeIdentifiers is the engine's platform, so no local tag names the image.</summary>
    public const string EnginePlatformNotBuilt = "MSTAGE249";

    /// <summary>MultiStageBuildStageCacheTag is also one of the image's tags: the cache would replace the image.</summary>
    public const string BuildStageCacheTagIsImageTag = "MSTAGE250";

    /// <summary>MultiStageBuildStageCacheTag is not a valid image tag.</summary>
    public const string InvalidBuildStageCacheTag = "MSTAGE251";

    /// <summary>Warning: the build stage's cache could not be built or pushed; the image itself is built and pushed.</summary>
    public const string BuildStageCacheNotPushed = "MSTAGE252";

    /// <summary>The registry speaks plain HTTP (or bad TLS) and the engine does not allow it for this registry.</summary>
    public const string RegistryTls = "MSTAGE308";

    /// <summary>The docker configuration file cannot be read or parsed.</summary>
    public const string DockerConfigInvalid = "MSTAGE309";

    /// <summary>The file MULTISTAGE_REGISTRY_PASSWORD_FILE names cannot be read or is empty, or no user name goes with it.</summary>
    public const string RegistryPasswordFileUnusable = "MSTAGE310";
}
