using System.Globalization;
using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The shell commands of the build stage's RUN instructions and the cache mounts they use.</summary>
internal static class BuildStageScripts
{
    public const string NuGetPackagesFolder = "/root/.nuget/packages/";
    public const string PublishDirectory = "/app/publish";
    // One letter: the build-output root is part of the paths of generated sources that every portable PDB in the
    // image records, so a longer name makes the image bigger than a build in the project folder.
    public const string ArtifactsFolder = "/a";
    public const string RestoreStash = "/tmp/multistage-restore";
    public const string RestoreStamp = ".restore-id";
    public const string NuGetHttpCache = "/root/.local/share/NuGet/http-cache";
    public const string NuGetHttpMount = "type=cache,id=multistage-nuget-http,target=" + NuGetHttpCache;

    // Docker calls architectures amd64/arm64/arm; .NET calls them x64/arm64/arm. The legacy builder sets no
    // TARGETARCH, so fall back to the machine the build runs on.
    private const string ArchMapping =
        "case \"${TARGETARCH:-$(uname -m)}\" in amd64|x86_64) echo x64 ;; arm64|aarch64) echo arm64 ;; arm|armv7l) echo arm ;; " +
        "s390x) echo s390x ;; ppc64le) echo ppc64le ;; *) echo \"unsupported architecture ${TARGETARCH:-$(uname -m)}\" >&2; exit 1 ;; esac > /tmp/dotnet-arch";

    /// <summary>The .NET name of the target architecture into /tmp/dotnet-arch; with a vendored SDK, its link into the Sdks folder.</summary>
    public static ShellCommand Setup(ResolvedSettings settings, bool vendorSdk)
    {
        var setup = new ShellCommand().Raw(ArchMapping);
        if (vendorSdk)
        {
            // MSBuild's default resolver finds an SDK in the Sdks folder of the .NET SDK without asking NuGet's, which
            // costs a few tenths of a second in every dotnet command; where the link cannot be made, NuGet's still works.
            setup.Raw("&& for d in \"$(dirname \"$(readlink -f \"$(command -v dotnet)\")\")\"/sdk/*/Sdks; do ln -sfn")
                .Arg(NuGetPackagesFolder + settings.SdkPackageId + "/" + settings.SdkPackageVersion)
                .Raw("\"$d/" + WellKnownNames.SdkName + "\" 2>/dev/null || true; done");
        }

        return setup;
    }

    public static ShellCommand Restore(ContextLayout layout, ResolvedSettings settings, ImageChoice images, bool vendorSdk)
    {
        var restore = new ShellCommand().Raw("dotnet restore").Arg(ProjectArgument(layout)).Raw("-a \"$(cat /tmp/dotnet-arch)\"");
        AddPlatformAndOutput(restore, images, settings.CacheMounts);
        AcceptLinkedSdkVersion(restore, vendorSdk);
        if (settings.CacheMounts)
        {
            // The publish step mounts the build-output cache over the artifacts folder: move the restore output aside, with a
            // stamp that is new each time restore runs.
            restore.Raw("&& cat /proc/sys/kernel/random/uuid >").Arg(ArtifactsFolder + "/" + RestoreStamp)
                .Raw("&& mv").Arg(ArtifactsFolder).Arg(RestoreStash);
        }

        return restore;
    }

    public static ShellCommand Publish(ProjectFacts project, ContextLayout layout, ResolvedSettings settings, ImageChoice images, bool vendorSdk, IReadOnlyList<PublishLayer> layers)
    {
        var mounts = settings.CacheMounts;
        var singleProject = project.Closure.Count <= 1;
        var publish = new ShellCommand();
        if (mounts)
        {
            // Copy the restore output into the mount only when this restore is new to it: the copies get fresh
            // timestamps, so MSBuild's up-to-date checks see a changed restore and never a step back in time.
            // With several projects, a mount already holding this restore's build means few recompile: compiling
            // in-process beats starting the compiler server cold; a first build compiles them all through one.
            publish.Raw($"if [ \"$(cat {RestoreStash}/{RestoreStamp})\" != \"$(cat {ArtifactsFolder}/{RestoreStamp} 2>/dev/null)\" ]; then cp -R {RestoreStash}/. {ArtifactsFolder}/;"
                + (singleProject ? "" : " shared=true; else shared=false;") + " fi &&");
        }

        publish.Raw("dotnet publish").Arg(ProjectArgument(layout))
            .Raw("-c").Arg(settings.Configuration)
            .Raw("-a \"$(cat /tmp/dotnet-arch)\"");
        AddPlatformAndOutput(publish, images, mounts);
        AcceptLinkedSdkVersion(publish, vendorSdk);
        publish.Raw("--no-restore");
        if (settings.MaxCpuCount is { } nodes)
        {
            publish.Raw("-maxcpucount:" + nodes.ToString(CultureInfo.InvariantCulture));
        }

        publish.Raw("-o").Arg(PublishDirectory)
            // The project references this SDK: inside the image it must not generate a Dockerfile again.
            .Raw("-p:MultiStageGenerateOnPublish=false")
            .Raw("-p:MultiStageLayerDirectory=" + BuildStage.LayerDirectory)
            .Raw("-p:MultiStageLayers=" + PublishLayers.Format(layers));
        if (!images.SelfContained && settings.AppCommand.Count == 0 && settings.AppCommandInstruction != AppCommandInstruction.None)
        {
            // The entrypoint is `dotnet App.dll`: the native apphost would be dead weight in the image.
            publish.Raw("-p:UseAppHost=false");
        }

        if (singleProject)
        {
            // One project to compile: the compiler server (started cold in every build) costs more than it saves.
            publish.Raw("-p:UseSharedCompilation=false");
        }
        else if (mounts)
        {
            publish.Raw("-p:UseSharedCompilation=$shared");
        }

        return publish.Args(settings.PublishArguments);
    }

    /// <summary>The entry project for dotnet's command line: a name starting with '-' would be read as a switch (MSB1001).</summary>
    internal static string ProjectArgument(ContextLayout layout) =>
        layout.EntryProject.StartsWith("-", StringComparison.Ordinal) ? "./" + layout.EntryProject : layout.EntryProject;

    /// <summary>The build output is cached per image repository; sharing=locked keeps two builds of it apart.</summary>
    public static string ArtifactsMount(ProjectFacts project)
    {
        var id = new string(project.AssemblyName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) && c < 128 ? c : '-').ToArray());
        return $"type=cache,id=multistage-artifacts-{id},target={ArtifactsFolder},sharing=locked";
    }

    private static void AddPlatformAndOutput(ShellCommand command, ImageChoice images, bool mounts)
    {
        if (images.Musl)
        {
            command.Raw("--os linux-musl");
        }

        if (mounts)
        {
            command.Raw("-p:UseArtifactsOutput=true -p:ArtifactsPath=" + ArtifactsFolder);
        }
    }

    /// <summary>
    /// The Sdks-folder resolver that finds the linked package reports its version as empty, so a project with
    /// &lt;Sdk Name="MultiStage.Sdk" Version="…" /&gt; would get MSB4241 ("resolved to version ''") in every build, an
    /// error under -warnaserror. The link is the very version the project names, so the warning says nothing.
    /// </summary>
    private static void AcceptLinkedSdkVersion(ShellCommand command, bool vendorSdk)
    {
        if (vendorSdk)
        {
            command.Raw("-nowarn:MSB4241");
        }
    }
}
