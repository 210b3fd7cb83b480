using Microsoft.Build.Framework;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Archive;
using MultiStage.Engine.Client;
using MultiStage.Engine.Context;
using MultiStage.Generation;
using MultiStage.Model;
using MultiStage.NuGet;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>Builds the generated Dockerfile through the Docker Engine API, then pushes the tags when a registry is set.</summary>
public sealed class BuildImage : Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    [Required] public string ContextRoot { get; set; } = "";
    [Required] public string Dockerfile { get; set; } = "";
    /// <summary>The same build rendered for the classic builder (under obj/): sent instead of <see cref="Dockerfile"/> when the engine turns out to have no BuildKit.</summary>
    public string ClassicDockerfile { get; set; } = "";
    [Required] public string Repository { get; set; } = "";
    [Required] public string[] Tags { get; set; } = Array.Empty<string>();
    /// <summary>ContainerRegistry: the tags are pushed there after the build.</summary>
    public string Registry { get; set; } = "";
    /// <summary>Engine endpoint override (unix://…, tcp://…); discovery as the docker CLI does when empty.</summary>
    public string EngineEndpoint { get; set; } = "";
    /// <summary>LocalRegistry (Microsoft.NET.Build.Containers' property): Podman looks for Podman's sockets after DOCKER_HOST.</summary>
    public string LocalRegistry { get; set; } = "";
    public string Builder { get; set; } = "";
    public string NetworkMode { get; set; } = "";
    public string Platform { get; set; } = "";
    /// <summary>ContainerRuntimeIdentifiers: two or more build one image per platform and push an index of them; one is the platform of a single image.</summary>
    public string[] RuntimeIdentifiers { get; set; } = Array.Empty<string>();

    /// <summary>ContainerArchiveOutputPath: after the build the image (first tag) is saved there; a folder gets &lt;repository&gt;.tar.gz. Relative to the project's folder.</summary>
    public string ArchiveOutputPath { get; set; } = "";
    /// <summary>ContainerImageFormat: Docker (the engine's archive) or OCI (an OCI image layout) for the archive.</summary>
    public string ImageFormat { get; set; } = "";
    public string TargetStage { get; set; } = "";
    public bool NoCache { get; set; }
    public bool Pull { get; set; }
    /// <summary>The images the Dockerfile builds FROM: those the engine lacks are pulled first with the docker credentials (BuildKit without a session cannot authenticate).</summary>
    public string[] BaseImages { get; set; } = Array.Empty<string>();
    public ITaskItem[] BuildArgs { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>Inner loop: the image the Dockerfile builds FROM that holds the runtime and package layers, built first from <see cref="DependencyDockerfile"/> when the engine lacks it.</summary>
    public string DependencyImage { get; set; } = "";
    public string DependencyDockerfile { get; set; } = "";
    /// <summary>MultiStageContextSizeWarning: the context size that warns, in bytes or with a unit (100MB); 0 never warns.</summary>
    public string ContextSizeWarning { get; set; } = "";
    /// <summary>The entry project's folder: the credentials of the NuGet.config files restore reads there go to BuildKit as a secret. Empty: none.</summary>
    public string NuGetProjectDirectory { get; set; } = "";
    /// <summary>The project being containerized (MSBuildProjectFullPath): the summary line is named by it, as MSBuild names its own output lines.</summary>
    public string ProjectFile { get; set; } = "";

    /// <summary>MultiStageCacheFrom: ';'-separated images whose layers may serve as build cache (cachefrom).</summary>
    public string CacheFrom { get; set; } = "";
    /// <summary>MultiStageCacheTo: 'inline' writes BuildKit's cache metadata into the image, the one export the Engine API offers.</summary>
    public string CacheTo { get; set; } = "";

    /// <summary>MultiStageBuildStageCache: with the inline cache and a registry, also push the build stage under <see cref="BuildStageCacheTag"/> and build from it.</summary>
    public bool BuildStageCache { get; set; }
    /// <summary>MultiStageBuildStageCacheTag: the build stage cache's tag in the image's repository; empty: buildcache.</summary>
    public string BuildStageCacheTag { get; set; } = "";

    [Output] public string ImageId { get; set; } = "";
    /// <summary>The archive's full path (Microsoft.NET.Build.Containers' GeneratedArchiveOutputPath); empty without one.</summary>
    [Output] public string GeneratedArchiveOutputPath { get; set; } = "";
    [Output] public string[] ImageReferences { get; set; } = Array.Empty<string>();
    [Output] public string[] PushedReferences { get; set; } = Array.Empty<string>();

    public void Cancel() => _cancel.Cancel();

    public override bool Execute()
    {
        var log = new TaskLog(Log, Dockerfile, ProjectFile);
        try
        {
            return ExecuteAsync(log).GetAwaiter().GetResult() && !log.HasErrors;
        }
        catch (EngineException e)
        {
            LogBuildStageDiagnostics(e.Diagnostics);
            log.Error(e.Code, Describe(e), Dockerfile);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The engine client reports its own file failures; this is a file the task itself reads (the Dockerfile).
            log.Error(EngineErrorCodes.LocalFileFailed, $"A file of the build could not be read: {e.Message.TrimEnd('.')}. Check that it exists and that you may read it, and the disk it is on.", Dockerfile);
            return false;
        }
    }

    private async Task<bool> ExecuteAsync(TaskLog log)
    {
        if (ResolvedSettings.ParseBuilder(Builder, log) is not { } builder)
        {
            return false;
        }

        if (Inference.ContainerPlatform.FromRuntimeIdentifiers(RuntimeIdentifiers, out var platformProblem) is not { } platforms)
        {
            log.Error(Diagnostics.ErrorCodes.InvalidContainerRuntimeIdentifier, $"ContainerRuntimeIdentifiers cannot be built: {platformProblem}.");
            return false;
        }

        var format = ImageArchiveFormats.Read(ImageFormat);
        var archivePath = ResolveArchivePath(log);
        if (archivePath == "")
        {
            return false;
        }

        using var client = EngineClient.Create(EngineEndpoint.Length > 0 ? EngineEndpoint : null, LocalRegistry);
        var classic = false;
        if (builder == BuilderKind.Auto && ClassicDockerfile.Length > 0)
        {
            builder = await client.ResolveBuilderAsync(builder, _cancel.Token).ConfigureAwait(false);
            classic = builder == BuilderKind.Classic;
            if (classic)
            {
                log.Info($"The engine builds without BuildKit: building from {ClassicDockerfile}, the classic builder's rendering of {Dockerfile}.");
            }
        }

        // A Dockerfile outside the context (or the classic rendering, which sits where .dockerignore leaves it out)
        // travels inside the archive under a reserved name.
        var contextRoot = Path.GetFullPath(ContextRoot);
        var dockerfile = Path.GetFullPath(classic ? ClassicDockerfile : Dockerfile);
        var relative = Path.GetRelativePath(contextRoot, dockerfile);
        var outside = classic || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative);
        var sizeWarning = Engine.Context.ContextSizeWarning.ParseThreshold(ContextSizeWarning);
        var cacheFrom = BuildCache.ParseCacheFrom(CacheFrom);
        var inlineCache = BuildCache.ParseCacheTo(CacheTo);
        var buildArgs = BuildArguments.Collect(BuildArgs.Select(i => new KeyValuePair<string, string>(i.ItemSpec, i.GetMetadata("Value"))));
        var extra = outside
            ? new[] { new BuildContextFile(BuildContext.GeneratedDockerfileName, File.ReadAllBytes(dockerfile)) }
            : Array.Empty<BuildContextFile>();
        var dockerfileInContext = outside ? BuildContext.GeneratedDockerfileName : relative.Replace(Path.DirectorySeparatorChar, '/');

        var dependencies = DependencyImage.Length > 0 && DependencyDockerfile.Length > 0;
        if (dependencies)
        {
            await EnsureDependencyImageAsync(client, contextRoot, builder, log).ConfigureAwait(false);
        }

        if (NuGetCredentialsSecret(contextRoot, log) is not { } secrets)
        {
            return false;
        }

        var platform = platforms.Count == 1 ? platforms[0].BuildPlatform : Platform;
        var request = new BuildRequest
        {
            // Inner loop: the dependencies image already holds the runtime and package layers; only the rest travels.
            Context = new DirectoryBuildContext(contextRoot, dockerfileInContext, extra, dependencies ? DockerIgnore.Parse(InnerLoopDependencies.AppContextIgnore) : null)
            {
                SizeWarningThreshold = sizeWarning,
                Log = log,
                AlsoExcluded = archivePath is null ? [] : ImageArchivePath.ContextExclusions(archivePath, contextRoot),
            },
            DockerfilePath = dockerfileInContext,
            Repository = Repository,
            Tags = Tags,
            BuildArgs = buildArgs,
            Platform = platform.Length > 0 ? platform : null,
            TargetStage = TargetStage.Length > 0 ? TargetStage : null,
            NetworkMode = NetworkMode.Length > 0 ? NetworkMode : null,
            NoCache = NoCache,
            // The dependencies image exists only in this engine: a pull of it would fail.
            Pull = Pull && !dependencies,
            BaseImages = dependencies ? [] : BaseImages.Where(i => i.Length > 0).ToList(),
            Builder = builder,
            Secrets = secrets,
            CacheFrom = cacheFrom,
            InlineCache = inlineCache,
        };
        // The build stage's cache joins the cache sources of this build as of the next: a missing image is no error.
        var stageCache = Engine.Client.BuildStageCache.For(BuildStageCache, BuildStageCacheTag, request, Registry, platforms.Count, out var skipped);
        if (skipped is not null)
        {
            log.Info(skipped, Logging.Verbosity.Normal);
        }

        if (stageCache is not null)
        {
            request = request with { CacheFrom = stageCache.AddTo(cacheFrom) };
        }

        if (platforms.Count > 1)
        {
            var images = await client.BuildPlatformsAsync(request, platforms, Registry.Length > 0 ? Registry : null, log, _cancel.Token).ConfigureAwait(false);
            ImageId = images.LocalImageId ?? "";
            ImageReferences = images.LocalReferences.ToArray();
            PushedReferences = images.PushedIndexes.ToArray();
            LogBuildStageDiagnostics(images.Diagnostics);
            if (archivePath is not null && images.LocalImageId is not null)
            {
                // The archive holds the engine's own platform: an index does not live in this engine's image store.
                GeneratedArchiveOutputPath = (await client.SaveImageAsync($"{Repository}:{Tags[0]}", archivePath, format, log, _cancel.Token).ConfigureAwait(false)).Path;
            }

            return true;
        }

        var result = await client.BuildAsync(request, log, _cancel.Token).ConfigureAwait(false);
        LogBuildStageDiagnostics(result.Diagnostics);
        ImageId = result.ImageId;
        ImageReferences = result.Tags.ToArray();

        if (archivePath is not null)
        {
            var saved = await client.SaveImageAsync($"{Repository}:{Tags[0]}", archivePath, format, log, _cancel.Token).ConfigureAwait(false);
            GeneratedArchiveOutputPath = saved.Path;
        }

        if (Registry.Length > 0)
        {
            var pushed = await client.PushAsync(Repository, Tags, Registry, null, log, _cancel.Token).ConfigureAwait(false);
            PushedReferences = pushed.Tags.Select(t => $"{t.Reference}@{t.Digest}").ToArray();
            await PushBuildStageCacheAsync(client, stageCache, request, result.Builder, log).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Builds and pushes the build stage's cache after the image (its steps are all in the local cache by then). The
    /// image is built and pushed already: a failure here is a warning, and the next runner restores again.
    /// </summary>
    private async System.Threading.Tasks.Task PushBuildStageCacheAsync(EngineClient client, Engine.Client.BuildStageCache? cache, BuildRequest image, BuilderKind builder, TaskLog log)
    {
        if (cache is null)
        {
            return;
        }

        if (Engine.Client.BuildStageCache.Unsupported(builder) is { } unsupported)
        {
            log.Info(unsupported, Logging.Verbosity.Normal);
            return;
        }

        try
        {
            await client.PushBuildStageCacheAsync(cache, image, Registry, log, _cancel.Token).ConfigureAwait(false);
        }
        catch (EngineException e) when (!_cancel.IsCancellationRequested)
        {
            log.Warning(EngineErrorCodes.BuildStageCacheNotPushed, $"The build stage's cache {cache.Reference} was not pushed ({e.Code}: {Describe(e)}). The image is built and pushed; the next build on a fresh runner runs restore again.");
        }
    }

    /// <summary>Builds the inner loop's dependencies image unless the engine has it (its tag is a hash of its content).</summary>
    private async System.Threading.Tasks.Task EnsureDependencyImageAsync(EngineClient client, string contextRoot, BuilderKind builder, TaskLog log)
    {
        if (!NoCache && !Pull && await client.FindImageAsync(DependencyImage, _cancel.Token).ConfigureAwait(false) is not null)
        {
            log.Info($"Runtime and package layers unchanged: reusing {DependencyImage}.", Logging.Verbosity.Normal);
            return;
        }

        var separator = DependencyImage.LastIndexOf(':');
        var dockerfile = Path.GetRelativePath(contextRoot, Path.GetFullPath(DependencyDockerfile)).Replace(Path.DirectorySeparatorChar, '/');
        await client.BuildAsync(
            new BuildRequest
            {
                Context = new DirectoryBuildContext(contextRoot, dockerfile, null, DockerIgnore.Parse(InnerLoopDependencies.DependenciesContextIgnore)),
                DockerfilePath = dockerfile,
                Repository = DependencyImage[..separator],
                Tags = [DependencyImage[(separator + 1)..]],
                Platform = Platform.Length > 0 ? Platform : null,
                NetworkMode = NetworkMode.Length > 0 ? NetworkMode : null,
                NoCache = NoCache,
                Pull = Pull,
                BaseImages = BaseImages.Where(i => i.Length > 0).ToList(),
                Builder = builder,
            },
            log,
            _cancel.Token).ConfigureAwait(false);
        await client.RemoveOtherTagsAsync(DependencyImage[..separator], InnerLoopDependencies.TagPrefix, DependencyImage, log, _cancel.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// The credentials restore uses, collected now on this machine (configs and environment as they are at build time)
    /// and handed to BuildKit in memory: never written, never logged. Null (logged) when a config cannot be read.
    /// </summary>
    private Dictionary<string, byte[]>? NuGetCredentialsSecret(string contextRoot, TaskLog log)
    {
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (NuGetProjectDirectory.Length == 0)
        {
            return secrets;
        }

        NuGetCredentials credentials;
        try
        {
            var configs = NuGetConfigChain.Find(NuGetProjectDirectory, contextRoot).Select(NuGetConfigFile.Read).ToList();
            credentials = NuGetCredentials.Collect(configs, Environment.GetEnvironmentVariable);
        }
        catch (NuGetConfigException e)
        {
            log.Error(Diagnostics.ErrorCodes.NuGetConfigUnreadable, $"{e.Message}. Restore cannot read it either; fix the file.", e.Path);
            return null;
        }

        if (credentials.ConfigText is not null)
        {
            secrets[NuGetConfigRendering.SecretId] = System.Text.Encoding.UTF8.GetBytes(credentials.ConfigText);
            log.Info($"Credentials for the package sources {string.Join(", ", credentials.SourceNames)} go to the build as the secret '{NuGetConfigRendering.SecretId}'.", Logging.Verbosity.Normal);
        }

        foreach (var name in credentials.UndefinedVariables)
        {
            log.Info($"A NuGet credential names %{name}%, which this environment does not define: NuGet sends the text as written.", Logging.Verbosity.Minimal);
        }

        return secrets;
    }

    /// <summary>
    /// The build stage's compiler, MSBuild and NuGet diagnostics as this build's own, at the files on this machine, so
    /// IDEs and CI annotations point at the source line rather than at the Dockerfile.
    /// </summary>
    private void LogBuildStageDiagnostics(IReadOnlyList<Engine.BuildOutput.BuildDiagnostic> diagnostics)
    {
        var contextRoot = ContextRoot.Length > 0 ? Path.GetFullPath(ContextRoot) : null;
        string? Host(string? path) => path is null || contextRoot is null ? path : BuildStagePaths.ToHost(path, contextRoot);
        foreach (var d in diagnostics)
        {
            var file = Host(d.File);
            var project = Host(d.Project);
            // MSBuild's own loggers append the project in brackets; the build stage's project is named in the message.
            var message = project is null || project == file || project == ProjectFile ? d.Message : $"{d.Message} [{project}]";
            if (d.Severity == Engine.BuildOutput.BuildDiagnosticSeverity.Error)
            {
                Log.LogError(d.Subcategory, d.Code, null, file, d.Line, d.Column, d.EndLine, d.EndColumn, message);
            }
            else
            {
                Log.LogWarning(d.Subcategory, d.Code, null, file, d.Line, d.Column, d.EndLine, d.EndColumn, message);
            }
        }
    }

    private static string Describe(EngineException e)
    {
        if (e.Step is null)
        {
            return e.Message;
        }

        var text = $"{e.Message} Step: {e.Step}" + (e.ExitCode is { } code ? $" (exit code {code})" : "");
        return e.LastOutputLines.Count == 0 ? text : text + Environment.NewLine + string.Join(Environment.NewLine, e.LastOutputLines.Select(l => "  " + l));
    }

    /// <summary>The archive's full path; null without ContainerArchiveOutputPath, empty (logged) when it is no path.</summary>
    private string? ResolveArchivePath(TaskLog log)
    {
        if (ArchiveOutputPath.Trim().Length == 0)
        {
            return null;
        }

        if (Tags.Length == 0)
        {
            log.Error(EngineErrorCodes.InvalidRequest, "ContainerArchiveOutputPath needs a tag of the image to save: set ContainerImageTag.");
            return "";
        }

        var projectDirectory = ProjectFile.Length > 0 ? Path.GetDirectoryName(Path.GetFullPath(ProjectFile))! : Directory.GetCurrentDirectory();
        return ImageArchivePath.Resolve(ArchiveOutputPath, projectDirectory, Repository);
    }
}
