using System.Text.RegularExpressions;

namespace MultiStage.Bench;

/// <summary>What every variant shares: the run's scratch folder, the base image prefix and the docker client.</summary>
internal sealed record BenchContext(
    Options Options,
    string Work,
    string Stamp,
    string SdkVersion,
    string BasePrefix,
    Docker Docker,
    EngineProxy Proxy,
    string ContainersTemp);

/// <summary>One way of producing the image of one asset: (a) MultiStage.Sdk, (b) the sample Dockerfile, (c) PublishContainer.</summary>
internal abstract partial class Variant(BenchContext context, Asset asset, string key)
{
    public string Key { get; } = key;

    public Asset Asset { get; } = asset;

    protected BenchContext Context { get; } = context;

    public string Root => Path.Combine(Context.Work, Key, Asset.Name);

    public string ProjectDirectory => Path.GetFullPath(Path.Combine(Root, Asset.ProjectDirectory));

    public string Repository => $"msbench/{Asset.Name}-{Key}";

    public string Tag => Context.Stamp;

    public string ImageReference => $"{Repository}:{Tag}";

    public string Logs => Path.Combine(Context.Work, "logs");

    /// <summary>The exact command, for the report.</summary>
    public abstract string CommandLine { get; }

    /// <summary>Per-variant NuGet folders: cold runs start them empty, warm runs keep them.</summary>
    protected Dictionary<string, string?> NuGetEnvironment() => new()
    {
        ["NUGET_PACKAGES"] = Path.Combine(Context.Work, "nuget", $"{Key}-{Asset.Name}", "packages"),
        ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(Context.Work, "nuget", $"{Key}-{Asset.Name}", "http-cache"),
    };

    protected void EmptyNuGetFolders()
    {
        var root = Path.Combine(Context.Work, "nuget", $"{Key}-{Asset.Name}");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public string SourceFile => Path.Combine(Root, Asset.EditedSource);

    /// <summary>
    /// (b)'s runtime base image (the last FROM of its sample Dockerfile, from the pinned snapshot). (a), (i) and (c)
    /// get it as ContainerBaseImage, so every variant of an asset starts from the same runtime image.
    /// </summary>
    protected string SampleBaseImage =>
        LastFrom(Path.Combine(Context.Options.Repository, "bench", "compare", "dockerfiles", Asset.Name + ".Dockerfile"))
            .Replace(Context.Options.Registry + "/dotnet/", Context.BasePrefix + "/dotnet/", StringComparison.Ordinal);

    protected string[] BaseImageArguments => [$"-p:ContainerBaseImage={SampleBaseImage}"];

    public abstract void Prepare();

    /// <summary>Removes the host-side caches this variant could build from (bin/obj, NuGet folders); the caller prunes the engine's build cache.</summary>
    public abstract void MakeCold();

    public abstract (ProcResult Result, long? ContextBytes) Build(string log);

    /// <summary>The runtime base image the variant's image starts from.</summary>
    public abstract string RuntimeBase();

    protected static string LastFrom(string dockerfile)
    {
        var from = File.ReadAllLines(dockerfile)
            .Select(l => l.Trim())
            .LastOrDefault(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        if (from is null)
        {
            return "?";
        }

        var words = from.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
        return words.Count > 0 ? words[0] : "?";
    }

    /// <summary>Shows the 127.0.0.1:5000/dotnet/… name even when the run used the pinned snapshot of it.</summary>
    protected string Unpinned(string text) => text.Replace(Context.BasePrefix, Context.Options.Registry, StringComparison.Ordinal);

    [GeneratedRegex(@"^#(\d+) \[internal\] load build context\s*$", RegexOptions.Multiline)]
    protected static partial Regex ContextVertex();

    [GeneratedRegex(@"^#(\d+) (\[.*)$")]
    protected static partial Regex VertexName();

    [GeneratedRegex(@"^#(\d+) CACHED\s*$")]
    protected static partial Regex CachedVertex();
}

/// <summary>What (a) and (i) share: a copy of the asset with MultiStage.Sdk, built by dotnet through the counting proxy.</summary>
internal abstract class SdkVariant(BenchContext context, Asset asset, string key, string[] command) : Variant(context, asset, key)
{
    private string[] Arguments =>
    [
        .. command,
        $"-p:MultiStageBaseImageRegistry={Context.BasePrefix}",
        $"-p:ContainerRepository={Repository}", $"-p:ContainerImageTags={Tag}",
        // Through the counting proxy, which measures the context the engine client uploads.
        $"-p:MultiStageDockerHost={Context.Proxy.Endpoint}",
        .. BaseImageArguments,
        .. Also,
    ];

    /// <summary>Arguments added to the next builds only (the fresh-runner mode's previous commit pushes with them).</summary>
    public string[] Also { get; set; } = [];

    public override string CommandLine =>
        "dotnet " + string.Join(' ', Arguments.Select(a => a.StartsWith("-p:MultiStageDockerHost=", StringComparison.Ordinal) ? "-p:MultiStageDockerHost=<counting proxy>" : Unpinned(a)));

    public override void Prepare()
    {
        Workspace.Copy(Path.Combine(Context.Options.Repository, "testassets", Asset.Name), Root);
        Workspace.PinSdkVersion(Root, Context.SdkVersion);
    }

    public override void MakeCold()
    {
        Workspace.DeleteBuildOutput(Root);
        EmptyNuGetFolders();
    }

    public override (ProcResult, long?) Build(string log)
    {
        Context.Proxy.TakeCounts();
        var result = Proc.Run("dotnet", Arguments, ProjectDirectory, log, NuGetEnvironment());
        var (bytes, requests) = Context.Proxy.TakeCounts();
        return (result, result.Ok && requests > 0 ? bytes : null);
    }
}

/// <summary>(a) MultiStage.Sdk: generate, then build through the SDK's own engine client (the fresh-runner mode adds its registry cache properties).</summary>
internal sealed class MultiStageVariant(BenchContext context, Asset asset, string key = "a", params string[] extra) : SdkVariant(context, asset, key,
    ["build", "-t:ContainerizeMultiStage", "-nologo", "-p:MultiStageBuildImage=true", "-p:MultiStageBuildNetwork=host", .. extra])
{
    public override string RuntimeBase() => Unpinned(LastFrom(Path.Combine(Root, "Dockerfile")));
}

/// <summary>
/// (i) MultiStage.Sdk's inner loop (MultiStageInnerLoop=true): the image is assembled from the host's own
/// incremental publish, through the same engine client. Compared with (c), which also publishes on the host.
/// </summary>
internal sealed class InnerLoopVariant(BenchContext context, Asset asset) : SdkVariant(context, asset, "i",
    ["publish", "-t:ContainerizeMultiStage", "--os", "linux", "--arch", "x64", "-nologo", "-p:MultiStageBuildImage=true", "-p:MultiStageInnerLoop=true"])
{
    // The inner-loop Dockerfiles live under obj/; the dependencies image (runtime and package layers), when there is
    // one, starts from the runtime image the committed Dockerfile would use.
    public override string RuntimeBase()
    {
        var obj = Path.Combine(ProjectDirectory, "obj");
        var dependencies = Directory.EnumerateFiles(obj, "Dependencies.Dockerfile", SearchOption.AllDirectories).FirstOrDefault();
        return Unpinned(LastFrom(dependencies ?? Directory.EnumerateFiles(obj, "Dockerfile", SearchOption.AllDirectories).First()));
    }

    // A cold run also starts without the dependencies image an earlier run left in the engine.
    public override void MakeCold()
    {
        base.MakeCold();
        var stale = Context.Docker.Text("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", Repository)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(t => t.Contains(":multistage-deps-", StringComparison.Ordinal))
            .ToArray();
        if (stale.Length > 0 && !Context.Docker.TryRun(["rmi", "-f", .. stale]))
        {
            throw new BenchException($"could not remove {string.Join(", ", stale)} (see {Context.Docker.LogPath})");
        }
    }
}

/// <summary>
/// (b) The hand-written sample Dockerfile (bench/compare/dockerfiles), built with the docker CLI and BuildKit; the
/// fresh-runner mode's (b') adds the inline cache options.
/// </summary>
internal sealed class SampleDockerfileVariant(BenchContext context, Asset asset, string key = "b", params string[] extra) : Variant(context, asset, key)
{
    private string[] Arguments => ["build", "--network", "host", "--progress=plain", .. extra, "-t", ImageReference, "."];

    public override string CommandLine =>
        $"DOCKER_BUILDKIT=1 {Docker.Cli} build --network host {string.Concat(extra.Select(e => Unpinned(e) + " "))}-t <image> . (bench/compare/dockerfiles/{Asset.Name}.Dockerfile)";

    public override void Prepare()
    {
        var dockerfiles = Path.Combine(Context.Options.Repository, "bench", "compare", "dockerfiles");
        Workspace.Copy(Path.Combine(Context.Options.Repository, "testassets", Asset.Name), Root);
        Workspace.RemoveMultiStageSdk(Root);
        var text = File.ReadAllText(Path.Combine(dockerfiles, Asset.Name + ".Dockerfile"));
        File.WriteAllText(Path.Combine(Root, "Dockerfile"), text.Replace(Context.Options.Registry + "/dotnet/", Context.BasePrefix + "/dotnet/", StringComparison.Ordinal));
        File.Copy(Path.Combine(dockerfiles, "sample.dockerignore"), Path.Combine(Root, ".dockerignore"));
    }

    /// <summary>The build cache is pruned by the caller; (b) keeps nothing on the host.</summary>
    public override void MakeCold()
    {
    }

    /// <summary>Steps other than FROM that BuildKit took from its cache, by name.</summary>
    public static List<string> CachedSteps(string output)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var cached = new List<string>();
        foreach (var line in output.Split('\n'))
        {
            var named = VertexName().Match(line);
            if (named.Success)
            {
                names.TryAdd(named.Groups[1].Value, named.Groups[2].Value.Trim());
            }
            else if (CachedVertex().Match(line) is { Success: true } hit
                && names.TryGetValue(hit.Groups[1].Value, out var name)
                && !name.Contains("] FROM ", StringComparison.Ordinal))
            {
                cached.Add(name);
            }
        }

        return cached;
    }

    public override (ProcResult, long?) Build(string log)
    {
        var result = Proc.Run(Docker.Cli, Arguments, Root, log, new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "1" });
        if (!result.Ok)
        {
            return (result, null);
        }

        // "#9 [internal] load build context" … "#9 transferring context: 1.23kB done": what the CLI's file sync sent.
        long? bytes = null;
        foreach (Match vertex in ContextVertex().Matches(result.Output))
        {
            var prefix = $"#{vertex.Groups[1].Value} transferring context: ";
            foreach (var line in result.Output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var size = line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                bytes = Math.Max(bytes ?? 0, Docker.ParseHumanBytes(size));
            }
        }

        return (result, bytes);
    }

    public override string RuntimeBase() => Unpinned(LastFrom(Path.Combine(Root, "Dockerfile")));
}

/// <summary>(c) dotnet publish -t:PublishContainer of the installed .NET SDK, based on the image it infers, taken from the local registry.</summary>
internal sealed class PublishContainerVariant(BenchContext context, Asset asset) : Variant(context, asset, "c")
{
    private string _baseImage = "";

    private string[] Arguments =>
    [
        "publish", "-t:PublishContainer", "--os", "linux", "--arch", "x64", "-nologo",
        $"-p:ContainerBaseImage={_baseImage}",
        $"-p:ContainerRepository={Repository}", $"-p:ContainerImageTags={Tag}",
    ];

    public override string CommandLine => $"DOTNET_CONTAINER_INSECURE_REGISTRIES={Context.Options.Registry} dotnet {string.Join(' ', Arguments.Select(Unpinned))}";

    private Dictionary<string, string?> Env()
    {
        var env = NuGetEnvironment();
        // The registry speaks plain HTTP; Microsoft.NET.Build.Containers only tries HTTP for registries listed here.
        env["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = Context.Options.Registry;
        // Its content store (pulled base layers) lives under the temp folder: one per benchmark run.
        env["TMPDIR"] = Context.ContainersTemp;
        return env;
    }

    public override void Prepare()
    {
        Workspace.Copy(Path.Combine(Context.Options.Repository, "testassets", Asset.Name), Root);
        Workspace.RemoveMultiStageSdk(Root);
        _baseImage = SampleBaseImage;
    }

    public string BaseImage => _baseImage;

    public override void MakeCold()
    {
        Workspace.DeleteBuildOutput(Root);
        EmptyNuGetFolders();
    }

    public override (ProcResult, long?) Build(string log) =>
        (Proc.Run("dotnet", Arguments, ProjectDirectory, log, Env()), null);

    public override string RuntimeBase() => Unpinned(_baseImage);
}

/// <summary>
/// (h) The headline command, as the README leads with it: <c>dotnet publish -t:ContainerizeMultiStage
/// -p:MultiStageBuildImage=true</c>; judged against (d), the docker CLI building the Dockerfile it generates.
/// </summary>
internal sealed class HeadlineVariant(BenchContext context, Asset asset) : SdkVariant(context, asset, "h",
    ["publish", "-t:ContainerizeMultiStage", "-nologo", "-p:MultiStageBuildImage=true", "-p:MultiStageBuildNetwork=host"])
{
    public override string RuntimeBase() => Unpinned(LastFrom(Path.Combine(Root, "Dockerfile")));
}

/// <summary>
/// (d) <c>DOCKER_BUILDKIT=1 docker build --network host</c> of the Dockerfile MultiStage.Sdk generates for the asset
/// (generated once, in <see cref="Prepare"/>, with (h)'s settings), from the context folder the Dockerfile names.
/// </summary>
internal sealed class GeneratedDockerfileVariant(BenchContext context, Asset asset) : Variant(context, asset, "d")
{
    private string[] Arguments => ["build", "--network", "host", "--progress=plain", "-t", ImageReference, "."];

    public override string CommandLine => $"DOCKER_BUILDKIT=1 {Docker.Cli} build --network host -t <image> . (the Dockerfile (h) generates)";

    public override void Prepare()
    {
        Workspace.Copy(Path.Combine(Context.Options.Repository, "testassets", Asset.Name), Root);
        Workspace.PinSdkVersion(Root, Context.SdkVersion);
        string[] generate =
        [
            "msbuild", "-restore", "-t:MultiStageGenerateDockerfile", "-nologo",
            $"-p:MultiStageBaseImageRegistry={Context.BasePrefix}",
            $"-p:ContainerRepository={Repository}", $"-p:ContainerImageTags={Tag}",
            .. BaseImageArguments,
        ];
        var result = Proc.Run("dotnet", generate, ProjectDirectory, Path.Combine(Logs, $"{Asset.Name}-d-generate.log"), NuGetEnvironment());
        if (!result.Ok)
        {
            throw new BenchException($"generating the Dockerfile failed (exit {result.ExitCode})\n{result.Tail(15)}");
        }
    }

    public override void MakeCold()
    {
    }

    public override (ProcResult, long?) Build(string log) =>
        (Proc.Run(Docker.Cli, Arguments, Root, log, new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "1" }), null);

    public override string RuntimeBase() => Unpinned(LastFrom(Path.Combine(Root, "Dockerfile")));
}
