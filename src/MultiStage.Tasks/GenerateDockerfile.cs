using System.Globalization;
using System.Reflection;
using Microsoft.Build.Exceptions;
using Microsoft.Build.Framework;
using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.IO;
using MultiStage.Model;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>Writes the Dockerfile, the .dockerignore and the vendored SDK package for one project.</summary>
public sealed class GenerateDockerfile : Task
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
    public string SdkSource { get; set; } = "";
    public string SdkPackageDirectory { get; set; } = "";
    public string Builder { get; set; } = "";
    public string CacheMounts { get; set; } = "";
    public string MaxCpuCount { get; set; } = "";
    public ITaskItem[] DockerIgnorePatterns { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>Folders whose files are never part of the repository (SDK, package caches).</summary>
    public ITaskItem[] ExternalRoots { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>Inner loop: write the runtime-only Dockerfile over the host's layered publish output into this folder.</summary>
    public string InnerLoopDirectory { get; set; } = "";
    /// <summary>Where the evaluated closure is kept between runs (under obj/); empty: evaluate every time.</summary>
    public string ClosureCacheFile { get; set; } = "";
    /// <summary>Where the stamp of the last generation is kept (under obj/); empty: plan every time. Needs <see cref="ClosureCacheFile"/>.</summary>
    public string GenerationStampFile { get; set; } = "";
    /// <summary>Compare with the files on disk and fail when they differ; write nothing.</summary>
    public bool CheckOnly { get; set; }

    [Output] public string GeneratedDockerfile { get; set; } = "";
    [Output] public string GeneratedContextRoot { get; set; } = "";
    [Output] public string ImageRepository { get; set; } = "";
    [Output] public string[] ImageTags { get; set; } = Array.Empty<string>();
    [Output] public string RuntimeImage { get; set; } = "";
    /// <summary>Inner loop: the image holding the runtime and package layers, and its Dockerfile; empty when there is none.</summary>
    [Output] public string DependencyImage { get; set; } = "";
    [Output] public string DependencyDockerfile { get; set; } = "";
    /// <summary>The images the generated Dockerfile builds FROM, for the engine client to pull with credentials first.</summary>
    [Output] public string[] BaseImages { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        var log = new TaskLog(Log, ProjectPath);
        var startedAt = DateTime.UtcNow;
        var projectPath = Path.GetFullPath(ProjectPath);
        IReadOnlyList<ProjectNode> closure = Array.Empty<ProjectNode>();
        Action? storeClosure = null;
        string? stampKey = null;
        try
        {
            // The inner loop copies the host's publish output: it needs no restore inputs, so no graph.
            if (InnerLoopDirectory.Length == 0)
            {
                string? closureKey;
                (closure, storeClosure, closureKey) = ReadClosure(projectPath, log);
                if (closureKey is not null && GenerationStampFile.Length > 0 && !CheckOnly)
                {
                    stampKey = StampKey(closureKey);
                    if (storeClosure is null && GenerationStamp.TryRead(Path.GetFullPath(GenerationStampFile), stampKey) is { } outputs)
                    {
                        SetOutputs(outputs);
                        log.Info($"{GeneratedDockerfile} is up to date: nothing it is generated from changed since the last run.");
                        return true;
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidProjectFileException or AggregateException or IOException)
        {
            log.Error(ErrorCodes.ProjectEvaluationFailed, $"Could not evaluate the ProjectReference closure of {Path.GetFileName(projectPath)}: {e.Message}");
            return false;
        }

        var packageDir = SdkPackageDirectory.Length > 0 ? Path.GetFullPath(SdkPackageDirectory).TrimEnd(Path.DirectorySeparatorChar) : "";
        var project = new ProjectFacts
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
            FrameworkReferences = FrameworkReferences.Select(i => i.ItemSpec).ToList(),
            Closure = closure,
            RepositoryRoot = FindRepositoryRoot(projectPath, out var gitProbes),
        };
        var settings = new ContainerSettings
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
            SdkSource = SdkSource,
            SdkPackageDirectory = packageDir,
            SdkPackageId = packageDir.Length > 0 ? Path.GetFileName(Path.GetDirectoryName(packageDir)!) : "multistage.sdk",
            SdkPackageVersion = packageDir.Length > 0 ? Path.GetFileName(packageDir) : "",
            Builder = Builder,
            CacheMounts = !string.Equals(CacheMounts, "false", StringComparison.OrdinalIgnoreCase),
            MaxCpuCount = MaxCpuCount,
            DockerIgnorePatterns = DockerIgnorePatterns.Select(i => i.ItemSpec).ToList(),
        };

        var externalRoots = ExternalRoots.Select(i => i.ItemSpec).Where(p => p.Length > 0).Select(Path.GetFullPath)
            .Concat(packageDir.Length > 0 ? new[] { packageDir } : Array.Empty<string>()).ToList();
        var result = InnerLoopDirectory.Length > 0
            ? Generator.GenerateInnerLoop(project, settings, InnerLoopDirectory, log)
            : Generator.Generate(project, settings, externalRoots, CheckOnly, log);
        if (result is null || log.HasErrors)
        {
            return false;
        }

        UserDockerIgnoreCheck.Warn(result, log);
        // Stored after the generated files are written: they sit in folders the cache watches.
        storeClosure?.Invoke();
        GeneratedDockerfile = result.DockerfilePath;
        GeneratedContextRoot = result.ContextRoot;
        ImageRepository = result.Repository;
        ImageTags = result.Tags.ToArray();
        RuntimeImage = result.Images.RuntimeImage;
        DependencyImage = result.DependencyImage ?? "";
        DependencyDockerfile = result.DependencyDockerfilePath ?? "";
        BaseImages = InnerLoopDirectory.Length > 0 ? new[] { result.Images.RuntimeImage } : new[] { result.Images.SdkImage, result.Images.RuntimeImage };

        // A run that warned is not stamped: the next one plans again and repeats the warning.
        if (stampKey is not null && !log.HasWarnings)
        {
            // The closure cache goes with the outputs: this run may just have written it.
            GenerationStamp.Write(Path.GetFullPath(GenerationStampFile), stampKey, StampedOutputs(),
                result.Inputs.Concat(gitProbes.Select(p => (PathStamp.Entry, p))),
                result.OutputFiles.Append(Path.GetFullPath(ClosureCacheFile)), startedAt);
        }

        return true;
    }

    private IEnumerable<KeyValuePair<string, string>> StampedOutputs() =>
        new[]
        {
            new KeyValuePair<string, string>(nameof(GeneratedDockerfile), GeneratedDockerfile),
            new KeyValuePair<string, string>(nameof(GeneratedContextRoot), GeneratedContextRoot),
            new KeyValuePair<string, string>(nameof(ImageRepository), ImageRepository),
            new KeyValuePair<string, string>(nameof(RuntimeImage), RuntimeImage),
        }
        .Concat(ImageTags.Select(t => new KeyValuePair<string, string>(nameof(ImageTags), t)))
        .Concat(BaseImages.Select(i => new KeyValuePair<string, string>(nameof(BaseImages), i)));

    private void SetOutputs(IReadOnlyList<KeyValuePair<string, string>> outputs)
    {
        string One(string name) => outputs.FirstOrDefault(p => p.Key == name).Value ?? "";
        GeneratedDockerfile = One(nameof(GeneratedDockerfile));
        GeneratedContextRoot = One(nameof(GeneratedContextRoot));
        ImageRepository = One(nameof(ImageRepository));
        RuntimeImage = One(nameof(RuntimeImage));
        ImageTags = outputs.Where(p => p.Key == nameof(ImageTags)).Select(p => p.Value).ToArray();
        BaseImages = outputs.Where(p => p.Key == nameof(BaseImages)).Select(p => p.Value).ToArray();
    }

    /// <summary>
    /// What a generation depends on besides files: every parameter of this task (found by reflection, so a parameter
    /// added later is never left out), the closure's key and the build of the generator.
    /// </summary>
    private string StampKey(string closureKey)
    {
        var parts = new List<string>
        {
            closureKey,
            typeof(Generator).Assembly.ManifestModule.ModuleVersionId.ToString(),
            typeof(GenerateDockerfile).Assembly.ManifestModule.ModuleVersionId.ToString(),
        };
        foreach (var property in typeof(GenerateDockerfile).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.CanWrite && p.GetCustomAttribute<OutputAttribute>() is null)
            .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var value = property.GetValue(this);
            if (value is ITaskItem[] items)
            {
                parts.Add(property.Name + "#" + items.Length.ToString(CultureInfo.InvariantCulture));
                foreach (var item in items)
                {
                    // Custom metadata only: the well-known ones include file times that change without any edit.
                    var metadata = item.CloneCustomMetadata();
                    var names = metadata.Keys.Cast<string>().OrderBy(n => n, StringComparer.Ordinal).ToList();
                    parts.Add(Framed(item.ItemSpec) + string.Concat(names.Select(n => Framed(n) + Framed((string?)metadata[n] ?? ""))));
                }
            }
            else
            {
                parts.Add(property.Name + "=" + Framed(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
            }
        }

        return ClosureCache.Key(parts);
    }

    /// <summary>Length-prefixed, so no value can imitate the separators around it.</summary>
    private static string Framed(string value) => value.Length.ToString(CultureInfo.InvariantCulture) + ":" + value;

    private IDictionary<string, string> GlobalPropertiesForGraph()
    {
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (BuildEngine is IBuildEngine6 engine)
        {
            foreach (var pair in engine.GetGlobalProperties())
            {
                properties[pair.Key] = pair.Value;
            }
        }

        // The graph is read for its files, not built: keep it from running this SDK's own hooks.
        properties["MultiStageGenerateOnPublish"] = "false";
        return properties;
    }

    /// <summary>
    /// The closure from the cache when nothing it was read from changed, else from a fresh graph evaluation, with
    /// the action that stores it for the next run.
    /// </summary>
    private (IReadOnlyList<ProjectNode> Closure, Action? Store, string? Key) ReadClosure(string projectPath, TaskLog log)
    {
        var properties = GlobalPropertiesForGraph();
        if (ClosureCacheFile.Length == 0)
        {
            return (ProjectGraphReader.ReadClosure(projectPath, properties), null, null);
        }

        var cacheFile = Path.GetFullPath(ClosureCacheFile);
        var key = CacheKey(projectPath, properties);
        if (ClosureCache.TryRead(cacheFile, key) is { } cached)
        {
            log.Info("ProjectReference closure unchanged since the last run: taken from " + cacheFile, Logging.Verbosity.Detailed);
            return (cached, null, key);
        }

        var evaluatedAt = DateTime.UtcNow;
        var closure = ProjectGraphReader.ReadClosure(projectPath, properties);
        return (closure, () => ClosureCache.Write(cacheFile, key, closure, evaluatedAt), key);
    }

    /// <summary>What the evaluation depends on besides files: the entry project, global properties and the MSBuild (SDK) running it.</summary>
    private static string CacheKey(string projectPath, IDictionary<string, string> properties) =>
        ClosureCache.Key(new[]
            {
                projectPath,
                typeof(Microsoft.Build.Evaluation.ProjectCollection).Assembly.Location,
                Microsoft.Build.Evaluation.ProjectCollection.DisplayVersion,
            }
            .Concat(properties.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key + "=" + p.Value)));

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
