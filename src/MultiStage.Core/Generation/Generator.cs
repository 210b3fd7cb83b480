using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Dockerfiles;
using MultiStage.Incrementality;
using MultiStage.Inference;
using MultiStage.IO;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>Project facts + settings → Dockerfile, .dockerignore and the vendored SDK, validated before anything is written.</summary>
public static partial class Generator
{
    private const string PackageMarker = ".nupkg.metadata";

    /// <summary>Writes the generated files; with a classicDockerfilePath, the classic builder's rendering there too (unless the settings chose that builder).</summary>
    public static GenerationResult? Generate(ProjectFacts project, ContainerSettings settings, IReadOnlyList<string> externalRoots, bool checkOnly, ILog log, string? classicDockerfilePath = null)
    {
        var plan = Plan(project, settings, externalRoots, log, classicDockerfilePath);
        if (plan is null)
        {
            return null;
        }

        var result = plan.Result;
        var stale = new List<string>();
        if (AtomicFile.ReadOrNull(result.DockerfilePath) != result.DockerfileText)
        {
            stale.Add(result.DockerfilePath);
        }

        if (result.DockerIgnoreText is not null && AtomicFile.ReadOrNull(result.DockerIgnorePath) != result.DockerIgnoreText)
        {
            stale.Add(result.DockerIgnorePath);
        }

        var renderings = plan.NuGetConfigs.Select(f => (Path: Path.Combine(result.ContextRoot, f.Key.Replace('/', Path.DirectorySeparatorChar)), Text: f.Value)).ToList();
        stale.AddRange(renderings.Where(f => AtomicFile.ReadOrNull(f.Path) != f.Text).Select(f => f.Path));

        if (checkOnly)
        {
            if (stale.Count > 0)
            {
                var expected = new[] { (result.DockerfilePath, result.DockerfileText), (result.DockerIgnorePath, result.DockerIgnoreText ?? "") }.Concat(renderings)
                    .ToDictionary(f => f.Item1, f => f.Item2, PathUtil.Comparer);
                var onDisk = AtomicFile.ReadOrNull(result.DockerfilePath);
                var why = onDisk is null ? null : DriftCheck.Explain(settings, onDisk, result.DockerfileText, alternative => Plan(project, alternative, externalRoots, DriftCheck.Silent, null)?.Result.DockerfileText);
                log.Error(ErrorCodes.DockerfileOutOfDate, DriftCheck.Describe(stale, expected, why), stale[0]);
                return null;
            }

            log.Info($"{result.DockerfilePath} is up to date.", Verbosity.Summary);
            // The classic rendering is a build intermediate under obj/, not a file of the repository: an image build after the check needs it.
            return WriteClassicDockerfile(result, log) ? result : null;
        }

        var written = new List<string>();
        var outputs = new List<string>();
        // Named in the error: what was being written when the disk filled up or access was denied.
        var target = result.ContextRoot;
        try
        {
            if (plan.VendorSource is not null)
            {
                target = Path.Combine(result.ContextRoot, WellKnownNames.StateFolder);
                Vendor(plan, result.ContextRoot, written, outputs);
            }

            foreach (var (path, text) in renderings)
            {
                outputs.Add(path);
                if (AtomicFile.WriteIfChanged(path, text))
                {
                    written.Add(path);
                }
            }

            if (result.DockerIgnoreText is not null)
            {
                target = result.DockerIgnorePath;
                Write(result.DockerIgnorePath, result.DockerIgnoreText, written, outputs);
            }

            target = result.DockerfilePath;
            Write(result.DockerfilePath, result.DockerfileText, written, outputs);

            if (result.ClassicDockerfilePath is { } classicPath)
            {
                outputs.Add(classicPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Error(ErrorCodes.WriteFailed, $"Could not write {target}: {e.Message} Files written before it are complete; nothing is half-written.", target);
            return null;
        }

        if (!WriteClassicDockerfile(result, log))
        {
            return null;
        }

        log.Info(written.Count == 0
            ? $"{result.DockerfilePath} is up to date."
            : $"Wrote {result.DockerfilePath} (runtime image {result.Images.RuntimeImage}).", Verbosity.Summary);
        return result with { WrittenFiles = written, OutputFiles = outputs };
    }

    /// <summary>
    /// The SDK package into the context's state folder, marker first, so a folder this run creates is known as ours
    /// even when the run stops; a state folder this run created is removed again when vendoring fails.
    /// </summary>
    private static void Vendor(PlannedGeneration plan, string contextRoot, List<string> written, List<string> outputs)
    {
        var stateFolder = Path.Combine(contextRoot, WellKnownNames.StateFolder);
        var existed = Directory.Exists(stateFolder);
        try
        {
            Write(FileOwnership.StateFolderMarker(contextRoot), FileOwnership.StateFolderMarkerText, written, outputs);
            var target = Path.Combine(contextRoot, BuildStage.VendorFolder.Replace('/', Path.DirectorySeparatorChar));
            var prefix = Path.Combine(plan.Settings.SdkPackageId, plan.Settings.SdkPackageVersion);
            if (AtomicFile.MirrorDirectory(plan.VendorSource!, target, prefix, NeededInBuildStage, outputs) > 0)
            {
                written.Add(target);
            }
        }
        catch when (!existed && Directory.Exists(stateFolder))
        {
            Directory.Delete(stateFolder, recursive: true);
            throw;
        }
    }

    private static void Write(string path, string text, List<string> written, List<string> outputs)
    {
        outputs.Add(path);
        if (AtomicFile.WriteIfChanged(path, text))
        {
            written.Add(path);
        }
    }

    /// <summary>Validates and renders everything in memory; null (with errors logged) when the input cannot be represented.</summary>
    private static PlannedGeneration? Plan(ProjectFacts project, ContainerSettings settings, IReadOnlyList<string> externalRoots, ILog log, string? classicDockerfilePath)
    {
        if (Prepare(project, settings, log) is not var (resolved, images))
        {
            return null;
        }

        var layout = ContextPlanner.Plan(project, resolved.ContextRoot, externalRoots, log);
        if (layout is null || !ContextPathCheck.Check(layout, log) || !ContextPathCheck.ContainerFilesInContext(resolved, layout, log))
        {
            return null;
        }

        string? vendor = null;
        if (resolved.SdkSource == SdkSource.Context)
        {
            vendor = resolved.SdkPackageDirectory;
            if (vendor.Length == 0 || !File.Exists(Path.Combine(vendor, PackageMarker)))
            {
                log.Error(ErrorCodes.SdkPackageNotFound, $"{WellKnownNames.SdkName} is not running from a restored NuGet package ('{vendor}' has no {PackageMarker}), so it cannot be placed into the build context. Reference it with <Sdk Name=\"{WellKnownNames.SdkName}\" Version=\"…\" />, or set MultiStageSdkSource=Feed to restore it from your NuGet feeds inside the build.");
                return null;
            }
        }

        var nuget = NuGetConfigRendering.Plan(layout, Path.GetDirectoryName(Path.GetFullPath(project.ProjectPath))!, resolved.Builder, settings.EnvironmentVariable, settings.BuildNetwork, log);
        if (nuget is null)
        {
            return null;
        }

        layout = layout with { NuGetCredentials = nuget.NeedsCredentials };
        var dockerfilePath = resolved.DockerfilePath ?? Path.Combine(layout.Root, WellKnownNames.Dockerfile);
        var ignorePath = Path.Combine(layout.Root, WellKnownNames.DockerIgnore);
        var (ignoreText, ignore) = DockerIgnoreFor(project, resolved, layout, ignorePath, log);
        var inputs = layout.Inputs.ToList();
        if ((vendor is not null || nuget.Files.Count > 0) && layout.SourceFolders.Contains(""))
        {
            layout = layout with { RootEntries = RootFolderEntries.List(layout, ignore, project.Closure.SelectMany(n => n.OutputDirectories), dockerfilePath) };
            // A new file or folder in the root changes what is copied.
            inputs.Add((PathStampKind.Listing, layout.Root));
        }

        var text = Render(DockerfileBuilder.Build(project, resolved, images, layout, vendor is not null), log);
        if (text is null)
        {
            return null;
        }

        string? classicText = null;
        // A ContainerFile Mode needs BuildKit's COPY --chmod: no classic rendering then (an engine without BuildKit fails on the file).
        if (classicDockerfilePath is not null && resolved.Builder != BuilderKind.Classic && resolved.Files.All(f => f.Mode is null))
        {
            // Resolved again, not patched: defaults such as the cache mounts and the node count follow the builder.
            if (Prepare(project, settings with { Builder = nameof(BuilderKind.Classic) }, log) is not var (classicSettings, classicImages)
                || Render(DockerfileBuilder.Build(project, classicSettings, classicImages, layout, vendor is not null), log) is not { } classic)
            {
                return null;
            }

            classicText = classic;
        }

        if (!FileOwnership.MayWriteAll(resolved, layout, dockerfilePath, ignorePath, vendor is not null, log))
        {
            return null;
        }

        // Whether the .dockerignore is generated or the user's depends on its content; a ContainerFile must still exist.
        inputs.Add((PathStampKind.File, ignorePath));
        inputs.AddRange(resolved.Files.Select(f => (PathStampKind.File, f.Source)));
        if (vendor is not null)
        {
            inputs.Add((PathStampKind.File, Path.Combine(vendor, PackageMarker)));
        }

        return new PlannedGeneration(new GenerationResult
        {
            ContextRoot = layout.Root.TrimEnd(Path.DirectorySeparatorChar),
            DockerfilePath = dockerfilePath,
            DockerfileText = text,
            ClassicDockerfilePath = classicText is null ? null : Path.GetFullPath(classicDockerfilePath!),
            ClassicDockerfileText = classicText,
            DockerIgnorePath = ignorePath,
            DockerIgnoreText = ignoreText,
            CopiedPaths = layout.RestoreInputs.Concat(layout.NuGetConfigs.Select(c => c.Rendering)).Concat(layout.OtherFiles)
                .Concat(resolved.Files.Select(f => PathUtil.Relative(layout.Root, f.Source)))
                .Concat(layout.RootEntries is { } entries ? layout.SourceFolders.Where(f => f.Length > 0).Concat(entries) : layout.SourceFolders).Distinct(StringComparer.Ordinal).ToList(),
            Repository = resolved.Repository,
            Tags = resolved.Tags,
            Images = images,
            BaseImages = new[] { images.SdkImage, images.RuntimeImage },
            Inputs = inputs,
        }, resolved, vendor, nuget.Files);
    }

    /// <summary>
    /// The generated .dockerignore's text (null when the file is the user's) and the patterns the context is filtered
    /// by: the generated ones, or the user's file as it is (none when it cannot be read: the user is warned later).
    /// </summary>
    private static (string? Text, DockerIgnore Patterns) DockerIgnoreFor(ProjectFacts project, ResolvedSettings resolved, ContextLayout layout, string ignorePath, ILog log)
    {
        if (FileOwnership.MayWrite(ignorePath))
        {
            var toolState = DockerIgnore.Parse(string.Join("\n", DockerIgnoreTemplate.ToolStatePatterns.Concat(resolved.DockerIgnorePatterns)));
            // A Dockerfile named by MultiStageDockerfile shares the context, and this .dockerignore, with other apps'.
            var closure = resolved.DockerfilePath is not null ? null
                : project.Closure.Count > 0 ? project.Closure.Select(n => n.ProjectPath) : new[] { project.ProjectPath };
            var notRead = ContextExclusions.For(layout, toolState, closure);
            if (closure is null)
            {
                notRead = SharedDockerIgnore.WithExceptionsOnDisk(ignorePath, notRead, layout.Root);
            }

            var text = DockerIgnoreTemplate.Render(resolved.DockerIgnorePatterns, notRead);
            if (closure is null)
            {
                text = SharedDockerIgnore.KeptForOtherApplications(ignorePath, text, resolved, layout, log) ?? text;
            }

            return (text, DockerIgnore.Parse(text));
        }

        log.Info($"{ignorePath} has no '{DockerfileBuilder.HeaderLine}' header: it is yours and is left as it is.", Verbosity.Normal);
        try
        {
            return (null, DockerIgnore.Load(layout.Root));
        }
        catch (DockerIgnoreException)
        {
            return (null, DockerIgnore.Empty);
        }
    }

    /// <summary>What every kind of generation needs first: an application, the settings resolved, the images inferred.</summary>
    private static (ResolvedSettings Settings, ImageChoice Images)? Prepare(ProjectFacts project, ContainerSettings settings, ILog log)
    {
        if (!string.Equals(project.OutputType, "Exe", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(project.OutputType, "WinExe", StringComparison.OrdinalIgnoreCase))
        {
            log.Error(ErrorCodes.NotAnApplication, $"{Path.GetFileName(project.ProjectPath)} is a {project.OutputType} project; only applications (OutputType Exe) can be containerized.");
            return null;
        }

        if (!project.IsPublishable)
        {
            log.Error(ErrorCodes.NotAnApplication, $"{Path.GetFileName(project.ProjectPath)} sets IsPublishable to false; it cannot be containerized.");
            return null;
        }

        var resolved = ResolvedSettings.Resolve(settings, project, log);
        var images = resolved is null ? null : ImageInference.Infer(project, resolved, log);
        return images is null || !ShellLessImageChecks.Check(resolved!, images, log) || !OsPackageChecks.Check(resolved!, images, log) ? null : (resolved!, images);
    }

    /// <summary>
    /// What the build stage needs of the SDK package: its MSBuild files, the package markers NuGet looks for, and
    /// the tasks of the .NET MSBuild that generation and layering use. The archive itself, the .NET Framework tasks,
    /// the ready-to-run net10.0 copy (Sdk.props falls back to net8.0 without it) and the engine client stay out,
    /// which keeps every build context some megabytes smaller.
    /// </summary>
    internal static bool NeededInBuildStage(string relativePath)
    {
        if (relativePath.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!relativePath.StartsWith("tasks/", StringComparison.Ordinal))
        {
            return true;
        }

        return relativePath is "tasks/net8.0/MultiStage.Tasks.dll" or "tasks/net8.0/MultiStage.Core.dll";
    }

    private static bool WriteClassicDockerfile(GenerationResult result, ILog log)
    {
        if (result.ClassicDockerfilePath is not { } path)
        {
            return true;
        }

        try
        {
            AtomicFile.WriteIfChanged(path, result.ClassicDockerfileText!);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Error(ErrorCodes.WriteFailed, $"Could not write {path}: {e.Message}");
            return false;
        }
    }

    /// <summary>The text of a built model; null when a value cannot be written.</summary>
    private static string? Render(Dockerfile dockerfile, ILog log)
    {
        try
        {
            return DockerfileWriter.Write(dockerfile);
        }
        catch (DockerfileValueException e)
        {
            // Paths from the project graph are the only values not validated before: one a Dockerfile cannot hold.
            log.Error(e.Code, e.Message);
            return null;
        }
    }

    /// <summary>A generation rendered in memory, with the package folder to vendor (null with MultiStageSdkSource=Feed) and the NuGet.config renderings by context-relative path.</summary>
    private sealed record PlannedGeneration(GenerationResult Result, ResolvedSettings Settings, string? VendorSource, IReadOnlyList<KeyValuePair<string, string>> NuGetConfigs);
}
