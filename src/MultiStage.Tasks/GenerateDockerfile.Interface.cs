using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>
/// The parameters of <see cref="GenerateDockerfile"/>, as Sdk.targets passes them: the user's values as given (empty
/// when not set); ResolvedSettings checks them and fills the defaults.
/// </summary>
public sealed partial class GenerateDockerfile : Task
{
    [Required] public string ProjectPath { get; set; } = "";
    public string AssemblyName { get; set; } = "";
    public string TargetFileName { get; set; } = "";
    public string TargetFramework { get; set; } = "";
    public string TargetFrameworks { get; set; } = "";
    public string TargetFrameworkIdentifier { get; set; } = "";
    public string TargetFrameworkVersion { get; set; } = "";
    public string OutputType { get; set; } = "";
    public bool IsPublishable { get; set; } = true;
    public bool SelfContained { get; set; }
    public bool PublishAot { get; set; }
    public bool PublishTrimmed { get; set; }
    public bool InvariantGlobalization { get; set; }
    public string RuntimeIdentifier { get; set; } = "";
    public string RuntimeIdentifiers { get; set; } = "";
    /// <summary>The .NET SDK running the build ($(NETCoreSdkVersion)): it picks the Ubuntu of chiseled images.</summary>
    public string DotNetSdkVersion { get; set; } = "";
    public ITaskItem[] FrameworkReferences { get; set; } = Array.Empty<ITaskItem>();

    public string ContainerRepository { get; set; } = "";
    public string ContainerImageTag { get; set; } = "";
    public string ContainerImageTags { get; set; } = "";
    public string ContainerRegistry { get; set; } = "";
    public string ContainerFamily { get; set; } = "";
    public string ContainerBaseImage { get; set; } = "";
    public string SdkImage { get; set; } = "";
    public string BaseImageRegistry { get; set; } = "";
    public string ContainerUser { get; set; } = "";
    public string ContainerWorkingDirectory { get; set; } = "";
    public ITaskItem[] ContainerPorts { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] ContainerEnvironmentVariables { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] ContainerLabels { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] AppCommand { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] AppCommandArgs { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] DefaultArgs { get; set; } = Array.Empty<ITaskItem>();
    public string AppCommandInstruction { get; set; } = "";
    public string Configuration { get; set; } = "";
    public ITaskItem[] PublishArguments { get; set; } = Array.Empty<ITaskItem>();
    public string ContextRoot { get; set; } = "";
    public string DockerfilePath { get; set; } = "";
    public string OverwriteDockerfile { get; set; } = "";
    /// <summary>An image build may meet an engine without BuildKit: write its rendering here too (under obj/), never over <see cref="DockerfilePath"/>.</summary>
    public string ClassicDockerfilePath { get; set; } = "";
    public string SdkSource { get; set; } = "";
    public string SdkPackageDirectory { get; set; } = "";
    public string Builder { get; set; } = "";
    public string CacheMounts { get; set; } = "";
    public string MaxCpuCount { get; set; } = "";
    public ITaskItem[] DockerIgnorePatterns { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] HealthCheck { get; set; } = Array.Empty<ITaskItem>();
    public string HealthCheckInterval { get; set; } = "";
    public string HealthCheckTimeout { get; set; } = "";
    public string HealthCheckStartPeriod { get; set; } = "";
    public string HealthCheckRetries { get; set; } = "";
    /// <summary>ContainerPackage items (metadata Version).</summary>
    public ITaskItem[] ContainerPackages { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>ContainerFile items (metadata Destination, Mode), relative to the project.</summary>
    public ITaskItem[] ContainerFiles { get; set; } = Array.Empty<ITaskItem>();
    public ITaskItem[] ContainerWritableDirectories { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>The base.name label: ContainerGenerateLabels and ContainerGenerateLabelsImageBaseName.</summary>
    public bool BaseNameLabel { get; set; } = true;
    /// <summary>The base.digest label of a base image pinned by digest: ContainerGenerateLabels and ContainerGenerateLabelsImageBaseDigest.</summary>
    public bool BaseDigestLabel { get; set; } = true;
    /// <summary>Folders whose files are never part of the repository (SDK, package caches).</summary>
    public ITaskItem[] ExternalRoots { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>Inner loop: write the runtime-only Dockerfile over the host's layered publish output into this folder.</summary>
    public string InnerLoopDirectory { get; set; } = "";
    /// <summary>Where the evaluated closure is kept between runs (under obj/); empty: evaluate every time.</summary>
    public string ClosureCacheFile { get; set; } = "";
    /// <summary>Where the stamp of the last generation is kept (under obj/); empty: plan every time. Needs <see cref="ClosureCacheFile"/>.</summary>
    public string GenerationStampFile { get; set; } = "";
    /// <summary>MultiStageBuildNetwork: 'host' silences the warning about feeds on this machine's loopback (MSTAGE170).</summary>
    public string BuildNetwork { get; set; } = "";
    /// <summary>Compare with the files on disk and fail when they differ; write nothing.</summary>
    public bool CheckOnly { get; set; }

    [Output] public string GeneratedDockerfile { get; set; } = "";
    [Output] public string GeneratedContextRoot { get; set; } = "";
    /// <summary>The classic builder's rendering, when <see cref="ClassicDockerfilePath"/> asked for one and the settings chose no builder.</summary>
    [Output] public string GeneratedClassicDockerfile { get; set; } = "";
    [Output] public string ImageRepository { get; set; } = "";
    [Output] public string[] ImageTags { get; set; } = Array.Empty<string>();
    [Output] public string RuntimeImage { get; set; } = "";
    /// <summary>Inner loop: the image holding the runtime and package layers, and its Dockerfile; empty when there is none.</summary>
    [Output] public string DependencyImage { get; set; } = "";
    [Output] public string DependencyDockerfile { get; set; } = "";
    /// <summary>The images the generated Dockerfile builds FROM, for the engine client to pull with credentials first.</summary>
    [Output] public string[] BaseImages { get; set; } = Array.Empty<string>();
}
