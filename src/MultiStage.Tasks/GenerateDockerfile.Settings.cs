using Microsoft.Build.Framework;
using MultiStage.Model;

namespace MultiStage.Tasks;

/// <summary>The task's parameters as the Core's inputs: the project's facts and the user's settings, unchecked.</summary>
public sealed partial class GenerateDockerfile
{
    private string PackageDirectory => SdkPackageDirectory.Length > 0 ? Path.GetFullPath(SdkPackageDirectory).TrimEnd(Path.DirectorySeparatorChar) : "";

    /// <summary>The project as MSBuild evaluated it, with its closure; <paramref name="gitProbes"/>: the paths looked at for the repository root.</summary>
    private ProjectFacts Facts(string projectPath, IReadOnlyList<ProjectNode> closure, out List<string> gitProbes) => new()
    {
        ProjectPath = projectPath,
        AssemblyName = AssemblyName,
        TargetFileName = TargetFileName,
        TargetFramework = TargetFramework,
        TargetFrameworks = TargetFrameworks,
        TargetFrameworkIdentifier = TargetFrameworkIdentifier,
        TargetFrameworkVersion = TargetFrameworkVersion,
        OutputType = OutputType,
        IsPublishable = IsPublishable,
        SelfContained = SelfContained,
        PublishAot = PublishAot,
        PublishTrimmed = PublishTrimmed,
        InvariantGlobalization = InvariantGlobalization,
        RuntimeIdentifier = RuntimeIdentifier,
        RuntimeIdentifiers = Split(RuntimeIdentifiers),
        SdkVersion = DotNetSdkVersion,
        FrameworkReferences = FrameworkReferences.Select(i => i.ItemSpec).ToList(),
        Closure = closure,
        RepositoryRoot = FindRepositoryRoot(projectPath, out gitProbes),
    };

    private ContainerSettings UserSettings()
    {
        var packageDir = PackageDirectory;
        return new ContainerSettings
        {
            ContainerRepository = ContainerRepository,
            ContainerImageTag = ContainerImageTag,
            ContainerImageTags = ContainerImageTags,
            ContainerRegistry = ContainerRegistry,
            ContainerFamily = ContainerFamily,
            ContainerBaseImage = ContainerBaseImage,
            SdkImage = SdkImage,
            BaseImageRegistry = BaseImageRegistry,
            ContainerUser = ContainerUser,
            ContainerWorkingDirectory = ContainerWorkingDirectory,
            Ports = ContainerPorts.Select(i => new PortItem(i.ItemSpec, i.GetMetadata("Type"))).ToList(),
            EnvironmentVariables = Pairs(ContainerEnvironmentVariables),
            // A label item with BuildArg metadata gets its value from that build argument (the last item of a name wins).
            Labels = LastByName(ContainerLabels).Where(i => i.GetMetadata("BuildArg").Length == 0)
                .Select(i => new KeyValuePair<string, string>(i.ItemSpec, i.GetMetadata("Value"))).ToList(),
            LabelsFromBuildArgs = LastByName(ContainerLabels).Where(i => i.GetMetadata("BuildArg").Length > 0)
                .Select(i => new KeyValuePair<string, string>(i.ItemSpec, i.GetMetadata("BuildArg"))).ToList(),
            AppCommand = AppCommand.Select(i => i.ItemSpec).ToList(),
            AppCommandArgs = AppCommandArgs.Select(i => i.ItemSpec).ToList(),
            DefaultArgs = DefaultArgs.Select(i => i.ItemSpec).ToList(),
            AppCommandInstruction = AppCommandInstruction,
            Configuration = Configuration,
            PublishArguments = PublishArguments.Select(i => i.ItemSpec).ToList(),
            ContextRoot = ContextRoot,
            DockerfilePath = DockerfilePath,
            OverwriteDockerfile = OverwriteDockerfile,
            SdkSource = SdkSource,
            SdkPackageDirectory = packageDir,
            // NuGet's folders: <id>/<version>/.
            SdkPackageId = packageDir.Length > 0 ? Path.GetFileName(Path.GetDirectoryName(packageDir)!) : "",
            SdkPackageVersion = packageDir.Length > 0 ? Path.GetFileName(packageDir) : "",
            Builder = Builder,
            CacheMounts = CacheMounts,
            MaxCpuCount = MaxCpuCount,
            DockerIgnorePatterns = DockerIgnorePatterns.Select(i => i.ItemSpec).ToList(),
            BuildNetwork = BuildNetwork,
            HealthCheck = HealthCheck.Select(i => i.ItemSpec).ToList(),
            HealthCheckInterval = HealthCheckInterval,
            HealthCheckTimeout = HealthCheckTimeout,
            HealthCheckStartPeriod = HealthCheckStartPeriod,
            HealthCheckRetries = HealthCheckRetries,
            Packages = ContainerPackages.Select(i => new PackageItem(i.ItemSpec, i.GetMetadata("Version"))).ToList(),
            // The project's folder, not the task's current directory: an item's path is relative to its project.
            Files = ContainerFiles.Select(i => new FileItem(ProjectRelative(i.ItemSpec), i.GetMetadata("Destination"), i.GetMetadata("Mode"))).ToList(),
            WritableDirectories = ContainerWritableDirectories.Select(i => i.ItemSpec).ToList(),
            BaseNameLabel = BaseNameLabel,
            BaseDigestLabel = BaseDigestLabel,
        };
    }

    /// <summary>Folders whose files are never part of the repository, the running SDK package among them.</summary>
    private List<string> ExternalRootPaths()
    {
        var packageDir = PackageDirectory;
        return ExternalRoots.Select(i => i.ItemSpec).Where(p => p.Length > 0).Select(Path.GetFullPath)
            .Concat(packageDir.Length > 0 ? new[] { packageDir } : Array.Empty<string>()).ToList();
    }

    private string ProjectRelative(string path)
    {
        try
        {
            return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ProjectPath))!, path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            // Not a path at all: the Core reports it as a file that does not exist.
            return path;
        }
    }

    private static IEnumerable<ITaskItem> LastByName(ITaskItem[] items) =>
        items.Select((item, index) => (item, index)).GroupBy(x => x.item.ItemSpec, StringComparer.Ordinal)
            .Select(g => g.Last()).OrderBy(x => x.index).Select(x => x.item);

    private static IReadOnlyList<KeyValuePair<string, string>> Pairs(ITaskItem[] items) =>
        items.Select(i => new KeyValuePair<string, string>(i.ItemSpec, i.GetMetadata("Value"))).ToList();

    private static IReadOnlyList<string> Split(string value) =>
        value.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    /// <summary>The nearest folder above the project holding .git (a folder, or a file in worktrees and submodules); <paramref name="probed"/>: the paths looked at.</summary>
    private static string? FindRepositoryRoot(string projectPath, out List<string> probed)
    {
        probed = new List<string>();
        for (var dir = Path.GetDirectoryName(projectPath); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var git = Path.Combine(dir, ".git");
            probed.Add(git);
            if (Directory.Exists(git) || File.Exists(git))
            {
                return dir;
            }
        }

        return null;
    }
}
