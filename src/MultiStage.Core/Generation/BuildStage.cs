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
        var classic = settings.Builder == BuilderKind.Classic;
        yield return new From(images.SdkImage, Name, classic ? null : "$BUILDPLATFORM");
        yield return new Arg("TARGETARCH");
        yield return new Workdir("/src");
        if (vendorSdk)
        {
            yield return new Comment("The .NET name of the target architecture; this SDK package linked where MSBuild looks first (that resolver reports no version: -nowarn:MSB4241).");
        }

        yield return new Run(BuildStageScripts.Setup(settings, vendorSdk));
        yield return new BlankLine();
        yield return new Comment("Restore inputs only: source edits keep the restore layer cached.");
        if (vendorSdk)
        {
            yield return new Copy(new[] { VendorFolder }, BuildStageScripts.NuGetPackagesFolder);
        }

        foreach (var group in layout.RestoreInputs.GroupBy(DirectoryOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            yield return new Copy(group.OrderBy(p => p, StringComparer.Ordinal).ToList(), group.Key.Length == 0 ? "./" : group.Key);
        }

        // Each NuGet.config where restore looks for it, without secrets; the original never enters the context.
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

        if (settings.CacheMounts)
        {
            restoreMounts.Add(BuildStageScripts.NuGetHttpMount);
        }

        // BuildKit keeps the build output in a cache mount between builds, so an edit recompiles only the projects
        // it touches. Restore output and packages always land in the restore layer, as with the classic builder,
        // so publish never depends on what a (prunable) mount still holds; the mount only keeps NuGet's downloads.
        yield return new Run(BuildStageScripts.Restore(layout, settings, images, vendorSdk), restoreMounts.Count > 0 ? restoreMounts : null);
        yield return new BlankLine();
        yield return new Comment("Sources, dependencies first: an edit in the app leaves the library layers cached.");
        foreach (var folder in layout.SourceFolders)
        {
            yield return new Copy(new[] { folder.Length == 0 ? "." : folder }, folder.Length == 0 ? "./" : folder);
        }

        yield return new Run(BuildStageScripts.Publish(project, layout, settings, images, vendorSdk, layers), settings.CacheMounts ? new[] { BuildStageScripts.ArtifactsMount(project) } : null);
    }

    private static string DirectoryOf(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? "" : relativePath.Substring(0, slash + 1);
    }
}
