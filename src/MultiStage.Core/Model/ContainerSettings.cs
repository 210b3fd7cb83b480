namespace MultiStage.Model;

/// <summary>
/// What the user asked for through properties and items, as given: empty strings mean "not set". Nothing here is
/// checked or defaulted; <see cref="ResolvedSettings.Resolve"/> does both, once.
/// </summary>
public sealed record ContainerSettings
{
    public string ContainerRepository { get; init; } = "";
    public string ContainerImageTag { get; init; } = "";
    public string ContainerImageTags { get; init; } = "";
    public string ContainerRegistry { get; init; } = "";
    public string ContainerFamily { get; init; } = "";
    public string ContainerBaseImage { get; init; } = "";
    /// <summary>Image of the build stage; inferred from the framework when empty.</summary>
    public string SdkImage { get; init; } = "";
    /// <summary>Registry that replaces <c>mcr.microsoft.com</c> in every inferred image (enterprise mirrors).</summary>
    public string BaseImageRegistry { get; init; } = "";
    public string ContainerUser { get; init; } = "";
    public string ContainerWorkingDirectory { get; init; } = "";
    public IReadOnlyList<PortItem> Ports { get; init; } = Array.Empty<PortItem>();
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    /// <summary>Labels in order; later ones with the same name win (user labels come after generated ones).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    public IReadOnlyList<string> AppCommand { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> AppCommandArgs { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> DefaultArgs { get; init; } = Array.Empty<string>();
    /// <summary>Entrypoint (default), DefaultArgs or None, as in Microsoft.NET.Build.Containers.</summary>
    public string AppCommandInstruction { get; init; } = "";
    public string Configuration { get; init; } = "";
    /// <summary>Extra arguments for <c>dotnet publish</c> in the build stage (each one quoted).</summary>
    public IReadOnlyList<string> PublishArguments { get; init; } = Array.Empty<string>();
    /// <summary>Build-context root; inferred when empty.</summary>
    public string ContextRoot { get; init; } = "";
    /// <summary>Where the Dockerfile goes; <c>&lt;context&gt;/Dockerfile</c> when empty.</summary>
    public string DockerfilePath { get; init; } = "";
    /// <summary>Replace a Dockerfile that lacks the generator's header; only <c>true</c> turns it on.</summary>
    public string OverwriteDockerfile { get; init; } = "";
    /// <summary>Whether the SDK package is vendored into the context (<c>Context</c>) or restored from the user's feeds (<c>Feed</c>).</summary>
    public string SdkSource { get; init; } = "";
    /// <summary>Folder of the running MultiStage.Sdk package (holding <c>.nupkg.metadata</c>), to vendor into the context.</summary>
    public string SdkPackageDirectory { get; init; } = "";
    public string SdkPackageId { get; init; } = "";
    public string SdkPackageVersion { get; init; } = "";
    /// <summary><c>BuildKit</c> (default: cross-platform build stage, cache mounts) or <c>Classic</c> (the legacy builder's subset).</summary>
    public string Builder { get; init; } = "";
    /// <summary>A BuildKit cache mount for the build output (and one for NuGet downloads), so edits compile incrementally (BuildKit only); off only with <c>false</c>.</summary>
    public string CacheMounts { get; init; } = "";
    /// <summary>MSBuild nodes for the publish in the build stage; empty: one with cache mounts, MSBuild's default without.</summary>
    public string MaxCpuCount { get; init; } = "";
    /// <summary>
    /// Labels whose value changes on every commit (the source revision): the Dockerfile names a build argument
    /// (label name → argument name) so it stays the same, and the engine client passes the value.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> LabelsFromBuildArgs { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    /// <summary>Extra .dockerignore patterns appended to the generated file.</summary>
    public IReadOnlyList<string> DockerIgnorePatterns { get; init; } = Array.Empty<string>();
    /// <summary>ContainerHealthCheck items: the health check's command and arguments (exec form), or one item <c>None</c>.</summary>
    public IReadOnlyList<string> HealthCheck { get; init; } = Array.Empty<string>();
    public string HealthCheckInterval { get; init; } = "";
    public string HealthCheckTimeout { get; init; } = "";
    public string HealthCheckStartPeriod { get; init; } = "";
    public string HealthCheckRetries { get; init; } = "";
    /// <summary>ContainerPackage items: OS packages installed in the runtime stage with its package manager.</summary>
    public IReadOnlyList<PackageItem> Packages { get; init; } = Array.Empty<PackageItem>();
    /// <summary>ContainerFile items: files of the project copied into the runtime image, owned by the app user.</summary>
    public IReadOnlyList<FileItem> Files { get; init; } = Array.Empty<FileItem>();
    /// <summary>ContainerWritableDirectory items: absolute folders of the runtime image the app user owns.</summary>
    public IReadOnlyList<string> WritableDirectories { get; init; } = Array.Empty<string>();
    /// <summary>Label the image with its base (<c>org.opencontainers.image.base.name</c>), as Microsoft.NET.Build.Containers does.</summary>
    public bool BaseNameLabel { get; init; } = true;
    /// <summary>And with the base's digest (<c>org.opencontainers.image.base.digest</c>) when the reference pins one.</summary>
    public bool BaseDigestLabel { get; init; } = true;
    /// <summary>
    /// The host's environment, read for NuGet feed credentials (<c>NuGetPackageSourceCredentials_*</c>, <c>%VAR%</c>):
    /// whether any exist decides the restore step. Only whether, never a value, reaches the Dockerfile.
    /// </summary>
    public Func<string, string?> EnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>MultiStageBuildNetwork: with 'host', the build stage reaches this machine's loopback feeds. Never written into the Dockerfile.</summary>
    public string BuildNetwork { get; init; } = "";
}

/// <summary>A <c>ContainerPort</c> item.</summary>
public sealed record PortItem(string Port, string Type);

/// <summary>A <c>ContainerPackage</c> item: the package's name and its <c>Version</c> metadata (empty: the newest).</summary>
public sealed record PackageItem(string Name, string Version);

/// <summary>A <c>ContainerFile</c> item: the file's full path on this machine, its <c>Destination</c> and <c>Mode</c> metadata.</summary>
public sealed record FileItem(string Source, string Destination, string Mode);
