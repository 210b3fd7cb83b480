using System.Globalization;
using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The shell commands of the build stage's RUN instructions and the cache mounts they use.</summary>
internal static class BuildStageScripts
{
    /// <summary>NuGet's global packages folder in the build stage (NUGET_PACKAGES), where the vendored SDK package is copied.</summary>
    public const string NuGetPackagesFolder = "/nuget/packages";
    /// <summary>NuGet's HTTP cache (NUGET_HTTP_CACHE_PATH): the only NuGet state a cache mount keeps between builds.</summary>
    public const string NuGetHttpCache = "/nuget/http-cache";
    public const string NuGetHttpMount = "type=cache,id=multistage-nuget-http,target=" + NuGetHttpCache;
    public const string PublishDirectory = "/app/publish";
    // One letter: the build-output root is part of the paths of generated sources that every portable PDB in the
    // image records, so a longer name makes the image bigger than a build in the project folder.
    public const string ArtifactsFolder = "/a";
    /// <summary>Where restore's output waits in the restore layer while publish mounts the build-output cache over the artifacts folder.</summary>
    public const string RestoreStash = "/restored";
    /// <summary>Shell test, true when the build-output mount holds an earlier build's output (restore's stash holds obj/ only).</summary>
    public const string EarlierBuildTest = "test -d " + ArtifactsFolder + "/bin";

    public static ShellCommand Restore(ContextLayout layout, ResolvedSettings settings, ImageChoice images)
    {
        var restore = new ShellCommand().Raw("dotnet restore").Arg(ProjectArgument(layout));
        AddPlatformAndOutput(restore, settings, images);
        if (settings.CacheMounts)
        {
            restore.Then().Raw("mv").Arg(ArtifactsFolder).Arg(RestoreStash);
        }

        return restore;
    }

    public static ShellCommand Publish(ProjectFacts project, ContextLayout layout, ResolvedSettings settings, ImageChoice images, IReadOnlyList<PublishLayer> layers)
    {
        var publish = new ShellCommand();
        if (settings.CacheMounts)
        {
            // Every time, keeping timestamps: over a build of the same restore nothing looks newer, so nothing
            // recompiles; a new restore's files are newer than any build output, so MSBuild rebuilds.
            publish.Raw("cp -a").Arg(RestoreStash + "/.").Arg(ArtifactsFolder + "/").Then();
            if (project.Closure.Count > 1)
            {
                // Several projects compile from scratch only when the mount holds no earlier build (a fresh runner, a
                // pruned cache): then the compiler server pays; a rebuild recompiles few, and it would not. MSBuild
                // reads the variable as a property: "false" on a warm mount, empty (the .NET SDK's default, true) on a cold one.
                publish.Raw("export UseSharedCompilation=$(" + EarlierBuildTest + " && echo false)").Then();
            }
        }

        publish.Raw("dotnet publish").Arg(ProjectArgument(layout))
            .Wrap().Raw("-c").Arg(settings.Configuration);
        AddPlatformAndOutput(publish, settings, images);
        publish.Wrap().Raw("--no-restore");
        if (settings.MaxCpuCount is { } nodes)
        {
            publish.Wrap().Raw("-maxcpucount:" + nodes.ToString(CultureInfo.InvariantCulture));
        }

        publish.Wrap().Raw("-o").Arg(PublishDirectory)
            // The project references this SDK: inside the image it must not generate a Dockerfile again.
            .Wrap().Raw("-p:MultiStageGenerateOnPublish=false")
            .Wrap().Raw("-p:MultiStageLayerDirectory=" + BuildStage.LayerDirectory)
            .Wrap().Raw("-p:MultiStageLayers=" + PublishLayers.Format(layers));
        if (!images.SelfContained && settings.AppCommand.Count == 0 && settings.AppCommandInstruction != AppCommandInstruction.None)
        {
            // The entrypoint is `dotnet App.dll`: the native apphost would be dead weight in the image.
            publish.Wrap().Raw("-p:UseAppHost=false");
        }

        if (project.Closure.Count <= 1)
        {
            // The compiler server starts cold in every build: it pays only when a build compiles several projects.
            publish.Wrap().Raw("-p:UseSharedCompilation=false");
        }

        // One option per line, its values after it.
        foreach (var argument in settings.PublishArguments)
        {
            (argument.StartsWith("-", StringComparison.Ordinal) ? publish.Wrap() : publish).Arg(argument);
        }

        return publish;
    }

    /// <summary>The entry project for dotnet's command line: a name starting with '-' would be read as a switch (MSB1001).</summary>
    internal static string ProjectArgument(ContextLayout layout) =>
        layout.EntryProject.StartsWith("-", StringComparison.Ordinal) ? "./" + layout.EntryProject : layout.EntryProject;

    /// <summary>The build-output cache mount; sharing=locked keeps two builds of it apart.</summary>
    public static string ArtifactsMount(ProjectFacts project, ContextLayout layout) =>
        $"type=cache,id={ArtifactsCacheId(project, layout)},target={ArtifactsFolder},sharing=locked";

    /// <summary>
    /// One cache per project and repository: another repository's App on the same engine must not wait for, or reuse
    /// the obj/ of, this one. The key is what every clone has alike: the project's path in the build context and the
    /// paths of restore's inputs (the closure's project files, the imported .props/.targets), never an absolute path;
    /// a change of those paths restores anew, which recompiles everything anyway (docs/build-stage.md).
    /// </summary>
    internal static string ArtifactsCacheId(ProjectFacts project, ContextLayout layout)
    {
        var name = new string(project.AssemblyName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) && c < 128 ? c : '-').ToArray());
        var hash = Incrementality.ClosureCache.Key(layout.RestoreInputs.OrderBy(p => p, StringComparer.Ordinal).Prepend(layout.EntryProject));
        return $"multistage-artifacts-{name}-{hash.Substring(0, 8)}";
    }

    /// <summary>
    /// The runtime identifier: BuildKit's TARGETARCH (amd64, arm64, …) is a name the .NET SDK accepts for -a. The classic
    /// builder sets no TARGETARCH and builds only for its own machine: --os alone takes that machine's architecture.
    /// </summary>
    private static void AddPlatformAndOutput(ShellCommand command, ResolvedSettings settings, ImageChoice images)
    {
        var os = images.Musl ? "linux-musl" : "linux";
        if (settings.Builder == BuilderKind.Classic)
        {
            command.Wrap().Raw("--os " + os);
        }
        else
        {
            command.Wrap().Raw("-a $TARGETARCH");
            if (images.Musl)
            {
                command.Wrap().Raw("--os " + os);
            }
        }

        if (settings.CacheMounts)
        {
            command.Wrap().Raw("-p:UseArtifactsOutput=true")
                .Wrap().Raw("-p:ArtifactsPath=" + ArtifactsFolder);
        }
    }
}
