using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The build stage: restore from the restore inputs alone, then copy the sources and publish, split into layers.</summary>
public static class BuildStage
{
    public const string Name = "build";
    /// <summary>Where the publish output lands, split into one folder per layer.</summary>
    public const string LayerDirectory = "/app/layers";
    /// <summary>The folder of the context holding the vendored SDK package, as NuGet's global packages folder lays it out.</summary>
    public const string VendorFolder = WellKnownNames.StateFolder + "/packages/";

    internal static IEnumerable<Instruction> Instructions(ProjectFacts project, ResolvedSettings settings, ImageChoice images, ContextLayout layout, bool vendorSdk, IReadOnlyList<PublishLayer> layers)
    {
        var mounts = settings.CacheMounts;
        if (settings.Builder == BuilderKind.Classic)
        {
            yield return new From(images.SdkImage, Name);
        }
        else
        {
            // The SDK runs natively and cross-compiles for TARGETARCH.
            yield return new From(images.SdkImage, Name, "$BUILDPLATFORM");
            yield return new Arg("TARGETARCH");
            if (project.PublishAot && !images.Musl)
            {
                yield return new Arg("BUILDARCH");
                yield return new Comment(CrossToolchain.Comment);
                yield return new Run(CrossToolchain.Script());
            }
        }

        yield return new Workdir(BuildStagePaths.SourceRoot);
        var nuget = new List<KeyValuePair<string, string>> { new("NUGET_PACKAGES", BuildStageScripts.NuGetPackagesFolder) };
        if (mounts)
        {
            nuget.Add(new("NUGET_HTTP_CACHE_PATH", BuildStageScripts.NuGetHttpCache));
        }

        yield return new Env(nuget);
        yield return new BlankLine();
        var restoreComment = vendorSdk
            ? "Restore inputs only (" + WellKnownNames.SdkName + "'s package, the project files): source edits keep the restore layer cached."
            : "Restore inputs only: source edits keep the restore layer cached.";
        yield return new Comment(settings.Builder == BuilderKind.Classic
            ? restoreComment + "\n--os alone: the classic builder sets no TARGETARCH and builds for the machine it runs on."
            : restoreComment);
        if (vendorSdk)
        {
            yield return new Copy(new[] { VendorFolder }, BuildStageScripts.NuGetPackagesFolder + "/");
        }

        foreach (var copy in CopiesByFolder(layout.RestoreInputs))
        {
            yield return copy;
        }

        // Each NuGet.config where restore looks for it, without secrets; the original never enters the context.
        if (layout.NuGetConfigs.Count > 0)
        {
            yield return new Comment("NuGet.config for restore, rendered into .multistage/nuget/ without credentials: the original stays out of the build context.");
        }

        foreach (var config in layout.NuGetConfigs)
        {
            yield return new Copy(new[] { config.Rendering }, config.Target);
        }

        var restoreMounts = new List<string>();
        if (layout.NuGetCredentials)
        {
            // Only whether credentials exist shapes the file; their values travel as a secret, never in a layer.
            yield return new Comment($"Feed credentials: a NuGet.config holding them, e.g. docker build --secret id={NuGetConfigRendering.SecretId},src=<path of your NuGet.config> .");
            restoreMounts.Add(NuGetConfigRendering.SecretMount);
        }

        if (mounts)
        {
            // Restore output and packages always land in the restore layer, so publish never depends on what a
            // (prunable) mount still holds.
            yield return new Comment($"Restore; NuGet's downloads stay in a cache mount, and the output moves aside: publish mounts its build cache over {BuildStageScripts.ArtifactsFolder}.");
            restoreMounts.Add(BuildStageScripts.NuGetHttpMount);
        }

        yield return new Run(BuildStageScripts.Restore(layout, settings, images), restoreMounts.Count > 0 ? restoreMounts : null);
        yield return new BlankLine();
        if (layout.OtherFiles.Count > 0)
        {
            yield return new Comment("Files the build reads from outside the project folders, each copied alone.");
            foreach (var copy in CopiesByFolder(layout.OtherFiles))
            {
                yield return copy;
            }
        }

        yield return new Comment(SourcesComment(project, layout));
        foreach (var folder in layout.SourceFolders)
        {
            if (folder.Length > 0)
            {
                yield return new Copy(new[] { folder }, folder);
            }
            else if (layout.RootEntries is { } entries)
            {
                // Folders one by one: COPY of several folders would merge their contents into one.
                var files = entries.Where(e => !e.EndsWith("/", StringComparison.Ordinal)).ToList();
                if (files.Count > 0)
                {
                    yield return new Copy(files, "./");
                }

                foreach (var entry in entries.Where(e => e.EndsWith("/", StringComparison.Ordinal)))
                {
                    yield return new Copy(new[] { entry }, entry);
                }
            }
            else
            {
                yield return new Copy(new[] { "." }, "./");
            }
        }

        yield return new Comment(mounts
            ? "Publish, one folder per image layer. The build output stays in a cache mount, so an edit recompiles only what it touches;\n" +
              "restore's output goes in with its timestamps, so only a new restore rebuilds all." +
              (project.Closure.Count > 1 ? "\nThe compiler server only for a first build (no bin/ in the mount yet), which compiles every project." : "")
            : "Publish, one folder per image layer.");
        yield return new Run(BuildStageScripts.Publish(project, layout, settings, images, layers), mounts ? new[] { BuildStageScripts.ArtifactsMount(project, layout) } : null);
    }

    private static string SourcesComment(ProjectFacts project, ContextLayout layout)
    {
        var state = WellKnownNames.StateFolder + "/";
        if (project.Closure.Count > 1)
        {
            return "Sources, dependencies first: an edit in the app leaves the library layers cached" +
                (layout.RootEntries is null ? "." : $"; {state} stays out, restore took it above.");
        }

        return layout.RootEntries is null ? "Sources." : $"Sources, without {state} (restore took it above).";
    }

    /// <summary>One COPY per destination folder, the files in ordinal order.</summary>
    private static IEnumerable<Copy> CopiesByFolder(IEnumerable<string> files) =>
        files.GroupBy(DirectoryOf).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Copy(g.OrderBy(p => p, StringComparer.Ordinal).ToList(), g.Key.Length == 0 ? "./" : g.Key));

    private static string DirectoryOf(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? "" : relativePath.Substring(0, slash + 1);
    }
}
