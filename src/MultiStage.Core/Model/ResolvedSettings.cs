using MultiStage.Dockerfiles;

namespace MultiStage.Model;

/// <summary>
/// The settings a generation runs with: every user value checked and every default filled, once, by
/// <see cref="Resolve"/>. This is the one place that knows the defaults; the MSBuild targets pass what the user set
/// and the builders only read what is here.
/// </summary>
public sealed partial record ResolvedSettings
{
    /// <summary>ContainerRepository, else the assembly name made a valid repository.</summary>
    public required string Repository { get; init; }
    /// <summary>ContainerImageTags, else ContainerImageTag, else <c>latest</c>; trimmed and without repeats.</summary>
    public required IReadOnlyList<string> Tags { get; init; }
    /// <summary>ContainerFamily; empty: the inferred image's default.</summary>
    public string Family { get; init; } = "";
    /// <summary>ContainerBaseImage; null: inferred.</summary>
    public string? BaseImage { get; init; }
    /// <summary>Image of the build stage; null: inferred from the framework.</summary>
    public string? SdkImage { get; init; }
    /// <summary>Registry that replaces <c>mcr.microsoft.com</c> in every inferred image (enterprise mirrors); empty: none.</summary>
    public string BaseImageRegistry { get; init; } = "";
    /// <summary>ContainerUser; null: the base image's non-root app user.</summary>
    public string? User { get; init; }
    /// <summary>An absolute path; <c>/app/</c> by default.</summary>
    public string WorkingDirectory { get; init; } = DefaultWorkingDirectory;
    /// <summary>The ContainerPort items, without repeats, by port; a web app without any gets <see cref="AspNetPorts"/> or 8080.</summary>
    public IReadOnlyList<Expose> Ports { get; init; } = Array.Empty<Expose>();
    /// <summary>The ports the ASP.NET variables among the environment variables name (as Microsoft.NET.Build.Containers reads them).</summary>
    public IReadOnlyList<Expose> AspNetPorts { get; init; } = Array.Empty<Expose>();
    /// <summary>By name; the last of a name wins.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    /// <summary>By name; the last of a name wins (user labels come after generated ones).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    /// <summary>
    /// Labels whose value changes on every commit (the source revision), by name: label name → build argument name,
    /// so the Dockerfile stays the same and the engine client passes the value. A literal label of the same name wins.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> LabelsFromBuildArgs { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    /// <summary>ContainerAppCommand; empty: the app's own (apphost when self-contained, else <c>dotnet App.dll</c>).</summary>
    public IReadOnlyList<string> AppCommand { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> AppCommandArgs { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> DefaultArgs { get; init; } = Array.Empty<string>();
    public AppCommandInstruction AppCommandInstruction { get; init; } = AppCommandInstruction.Entrypoint;
    /// <summary>Configuration published in the build stage.</summary>
    public string Configuration { get; init; } = DefaultConfiguration;
    /// <summary>Extra arguments for <c>dotnet publish</c> in the build stage (each one quoted).</summary>
    public IReadOnlyList<string> PublishArguments { get; init; } = Array.Empty<string>();
    /// <summary>Build-context root, a full path; null: inferred from the project graph.</summary>
    public string? ContextRoot { get; init; }
    /// <summary>Where the Dockerfile goes, a full path; null: <c>&lt;context&gt;/Dockerfile</c>.</summary>
    public string? DockerfilePath { get; init; }
    /// <summary>MultiStageOverwriteDockerfile: replace a Dockerfile the user wrote (one without the generator's header).</summary>
    public bool OverwriteDockerfile { get; init; }
    public SdkSource SdkSource { get; init; } = SdkSource.Context;
    /// <summary>Folder of the running MultiStage.Sdk package (holding <c>.nupkg.metadata</c>), to vendor into the context; empty when not known.</summary>
    public string SdkPackageDirectory { get; init; } = "";
    /// <summary>The package id, lowercase as in NuGet's folders.</summary>
    public string SdkPackageId { get; init; } = WellKnownNames.SdkPackageFolder;
    /// <summary>The package version, lowercase as in NuGet's folders.</summary>
    public string SdkPackageVersion { get; init; } = "";
    /// <summary>BuildKit or Classic, never Auto: the Dockerfile is written for one of them.</summary>
    public BuilderKind Builder { get; init; } = BuilderKind.BuildKit;
    /// <summary>Cache mounts for the build output and NuGet's downloads: BuildKit only, on unless turned off.</summary>
    public bool CacheMounts { get; init; } = true;
    /// <summary>MSBuild nodes for the publish in the build stage; null: MSBuild's default. One with cache mounts by default.</summary>
    public int? MaxCpuCount { get; init; } = 1;
    /// <summary>Extra .dockerignore patterns appended to the generated file, trimmed, none empty.</summary>
    public IReadOnlyList<string> DockerIgnorePatterns { get; init; } = Array.Empty<string>();
    /// <summary>Label the image with its base image's name (<c>org.opencontainers.image.base.name</c>).</summary>
    public bool BaseNameLabel { get; init; } = true;
    /// <summary>Label it with the base image's digest when the reference pins one (<c>org.opencontainers.image.base.digest</c>).</summary>
    public bool BaseDigestLabel { get; init; } = true;

    public const string DefaultWorkingDirectory = "/app/";
    public const string DefaultConfiguration = "Release";
    public const string DefaultTag = "latest";
    /// <summary>The longest folder name of ContainerWorkingDirectory the file system takes (NAME_MAX).</summary>
    public const int MaxWorkingDirectoryNameBytes = 255;
    /// <summary>The longest ContainerWorkingDirectory accepted: half of Linux's PATH_MAX, the rest left for the engine's storage path.</summary>
    public const int MaxWorkingDirectoryBytes = 2048;
}
