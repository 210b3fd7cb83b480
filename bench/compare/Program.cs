using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using MultiStage.Bench;

// Compares, on the same machine, run and base images: (a) MultiStage.Sdk, (b) the sample Dockerfile, (c) PublishContainer.
// See docs/benchmarks.md for what is measured and how.
Options options;
try
{
    options = Options.Parse(args);
}
catch (BenchException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
// Ctrl-C, kill and a closed terminal all end the run the same way: the running command stops, the images go.
void Interrupt(System.Runtime.InteropServices.PosixSignalContext signal)
{
    signal.Cancel = true;
    Console.Error.WriteLine($"[bench] {signal.Signal}: stopping and cleaning up");
    cancel.Cancel();
}

using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Interrupt);
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Interrupt);
using var onHup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, Interrupt);
Proc.Cancellation = cancel.Token;

var stamp = DateTime.UtcNow.ToString("yyyyMMdd't'HHmmss", CultureInfo.InvariantCulture);
var work = options.Work.Length > 0 ? options.Work : Path.Combine("/tmp/multistage-bench", stamp);
Directory.CreateDirectory(work);
var logs = Path.Combine(work, "logs");
var docker = new Docker(Path.Combine(logs, "docker.log"));
var info = new RunInfo { StartedUtc = Proc.Text("date", Path.Combine(logs, "misc.log"), "-u") };
var started = Stopwatch.StartNew();
var built = new HashSet<string>(StringComparer.Ordinal);
var results = new List<AssetResult>();
GenerationResult? generation = null;
FreshRunner? fresh = null;
var basePrefix = options.Registry;
EngineProxy? proxy = null;

void Say(string text) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {text}");

// Only one benchmark at a time: they would prune each other's build cache and share the pinned base images.
using var runLock = AcquireRunLock();
try
{
    Preflight();
    SweepLeftovers();
    info.Machine = MachineDescription();
    info.DockerVersion = docker.Text("version", "--format", "server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}");
    info.DotnetVersion = Proc.Text("dotnet", Path.Combine(logs, "misc.log"), "--version");
    info.LoadStart = File.ReadAllText("/proc/loadavg").Trim();
    (info.Commit, info.TreeState) = SourceState();

    if (options.Pin)
    {
        basePrefix = options.Registry + "/msbench-base";
        PinBaseImages();
    }

    info.SdkVersion = $"0.0.0-bench.{stamp}";
    PackSdk();
    proxy = new EngineProxy(Path.Combine(work, "engine.sock"), EngineProxy.DefaultUpstream());
    var containersTemp = Path.Combine(work, "containers-tmp");
    Directory.CreateDirectory(containersTemp);
    var context = new BenchContext(options, work, stamp, info.SdkVersion, basePrefix, docker, proxy, containersTemp);
    var primed = new HashSet<string>(StringComparer.Ordinal);
    fresh = options.FreshRunner
        ? new FreshRunner(context, new FreshRunner.Hooks((v, s, label) => BuildOnce(v, s, label), Say, Unpin, Guard, info.Notes.Add))
        : null;

    foreach (var asset in options.Assets)
    {
        var result = new AssetResult(asset);
        results.Add(result);
        var variants = new List<Variant>();
        foreach (var variant in fresh?.Variants(asset) ?? options.Variants.Select(key => (Variant)(key switch
            {
                "a" => new MultiStageVariant(context, asset),
                "b" => new SampleDockerfileVariant(context, asset),
                "i" => new InnerLoopVariant(context, asset),
                "h" => new HeadlineVariant(context, asset),
                "d" => new GeneratedDockerfileVariant(context, asset),
                _ => new PublishContainerVariant(context, asset),
            })))
        {
            var vr = new VariantResult { Key = variant.Key, Command = variant.CommandLine };
            result.Variants[variant.Key] = vr;
            Guard(vr, variant, () =>
            {
                variant.Prepare();
                vr.Command = variant.CommandLine;
                if (variant is PublishContainerVariant c && primed.Add(c.BaseImage))
                {
                    PrimeContentStore(c.BaseImage, containersTemp);
                }

                variants.Add(variant);
            });
        }

        if (fresh is not null)
        {
            fresh.Measure(result, variants);
        }
        else
        {
            MeasureAsset(result, variants);
        }

        RemoveImages(built);
        DeleteQuietly(Path.Combine(work, "nuget"));
    }

    if (options.Generation && options.Assets.Any(a => a.Name == "multiproject") && options.Variants.Contains("a"))
    {
        generation = MeasureGeneration();
    }
}
catch (BenchException e)
{
    info.Stopped = true;
    info.Notes.Add("The run stopped early: " + e.Message.Split('\n')[0]);
    Console.Error.WriteLine("[bench] " + e.Message);
}
catch (OperationCanceledException)
{
    info.Notes.Add("The run was interrupted; the numbers below are incomplete.");
}
finally
{
    Proc.Cancellation = CancellationToken.None;
    info.LoadEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
    info.FinishedUtc = Proc.Text("date", Path.Combine(logs, "misc.log"), "-u");
    info.TotalMinutes = started.Elapsed.TotalMinutes;
    proxy?.Dispose();
    CheckPinnedImages();
    if (!options.Keep)
    {
        fresh?.Cleanup();
        RemoveImages(built);
        UnpinBaseImages();
    }
}

var report = options.FreshRunner ? FreshRunnerReport.Markdown(options, info, results) : Report.Markdown(options, info, results, generation);
var jsonPath = Path.Combine(options.Repository, "artifacts", "bench", $"results-{stamp}.json");
Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
File.WriteAllText(jsonPath, JsonSerializer.Serialize(new { info, results = results.Select(r => new { asset = r.Asset.Name, r.AotBaseImage, r.AotBaseSize, variants = r.Variants.Values }), generation }, new JsonSerializerOptions { WriteIndented = true, IncludeFields = true }));
var interrupted = cancel.IsCancellationRequested;
if (!interrupted)
{
    Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
    File.WriteAllText(options.Output, report);
}

Console.WriteLine();
Console.WriteLine(report);
Console.WriteLine(interrupted ? "[bench] interrupted: report not written" : $"[bench] report written to {options.Output}; raw results in {jsonPath}");
// Logs of failed builds are worth keeping.
var failed = results.Any(r => r.Variants.Values.Any(v => v.Error is not null)) || generation?.Error is not null || info.Stopped;
if (!options.Keep && !interrupted && !failed)
{
    DeleteQuietly(work);
}
else
{
    Console.WriteLine($"[bench] scratch folder and logs kept in {work}");
}

return interrupted ? 130 : 0;

// ---------------------------------------------------------------------------------------------------------------

// The variants of one asset take turns, so a change of load on the (shared) machine hits all of them alike.
void MeasureAsset(AssetResult result, List<Variant> variants)
{
    var current = new Dictionary<string, ImageInfo>(StringComparer.Ordinal);
    var alive = variants.ToList();
    for (var i = 1; i <= options.ColdRuns; i++)
    {
        // One prune per round: the variants share no build step, so each one still finds nothing it can reuse.
        // (a) goes first: a step it shared with (b) could only help (b).
        if (options.Prune && alive.Any(v => v is not PublishContainerVariant) && !docker.TryRun("builder", "prune", "-af"))
        {
            throw new BenchException("docker builder prune -af failed (see " + docker.LogPath + ")");
        }

        foreach (var variant in alive.ToList())
        {
            var vr = result[variant.Key]!;
            if (!Guard(vr, variant, () =>
            {
                variant.MakeCold();
                var sample = new Sample { Kind = "cold", Run = i };
                vr.Cold.Add(sample);
                current[variant.Key] = BuildOnce(variant, sample, $"{result.Asset.Name} ({variant.Key}) cold {i}/{options.ColdRuns}");
                if (variant is SampleDockerfileVariant && SampleDockerfileVariant.CachedSteps(File.ReadAllText(sample.Log)) is { Count: > 0 } cached)
                {
                    info.Notes.Add($"{result.Asset.Name} (b) cold {i}: BuildKit took {string.Join(", ", cached.Select(c => "`" + c + "`"))} from the cache (left there by an identical step of an earlier variant in this round).");
                }
            }))
            {
                alive.Remove(variant);
            }
        }
    }

    foreach (var variant in alive)
    {
        var vr = result[variant.Key]!;
        vr.RuntimeBase = variant.RuntimeBase();
        var (runs, output) = docker.Check(current[variant.Key].Id, variant.Asset, $"msbench-check-{stamp}");
        vr.Runs = runs;
        vr.RunOutput = output;
        Say($"{result.Asset.Name} ({variant.Key}) image runs: {(runs ? "ok" : "NO")}: {output}");
    }

    for (var i = 1; i <= options.WarmRuns; i++)
    {
        foreach (var variant in alive.ToList())
        {
            var vr = result[variant.Key]!;
            if (!Guard(vr, variant, () =>
            {
                Workspace.EditSource(variant.SourceFile, $"{variant.Key}{i}");
                var sample = new Sample { Kind = "warm", Run = i };
                vr.Warm.Add(sample);
                current[variant.Key] = BuildOnce(variant, sample, $"{result.Asset.Name} ({variant.Key}) warm {i}/{options.WarmRuns}", current[variant.Key]);
            }))
            {
                alive.Remove(variant);
            }
        }
    }

    foreach (var variant in alive)
    {
        var vr = result[variant.Key]!;
        Guard(vr, variant, () =>
        {
            var image = current[variant.Key];
            vr.FinalSize = image.Size;
            if (variant.Asset.Name != "aot")
            {
                return;
            }

            // The native executable is what the entry point runs.
            var entry = image.Entrypoint.FirstOrDefault() ?? throw new BenchException("the AOT image has no entry point");
            var path = entry.StartsWith('/') ? entry : Path.Combine(image.WorkingDir.Length > 0 ? image.WorkingDir : "/", entry);
            vr.AotBinaryPath = path;
            vr.AotBinarySize = docker.FileSize(image.Id, path, $"msbench-probe-{stamp}");
            if (variant.Key == "a" && vr.RuntimeBase is { } runtimeBase)
            {
                result.AotBaseImage = runtimeBase;
                result.AotBaseSize = docker.Inspect(runtimeBase.Replace(options.Registry + "/dotnet/", basePrefix + "/dotnet/", StringComparison.Ordinal))?.Size;
            }
        });
    }
}

// Runs one step of a variant; a failure ends that variant only, the others go on.
bool Guard(VariantResult vr, Variant variant, Action step)
{
    try
    {
        step();
        return true;
    }
    catch (BenchException e)
    {
        vr.Error ??= e.Message;
        Say($"{variant.Asset.Name} ({variant.Key}) failed: {e.Message.Split('\n')[0]}");
        return false;
    }
}

ImageInfo BuildOnce(Variant variant, Sample sample, string label, ImageInfo? before = null)
{
    var log = Path.Combine(logs, $"{variant.Asset.Name}-{variant.Key}-{sample.Kind}-{sample.Run}.log");
    sample.Log = log;
    ProcResult result;
    long? contextBytes;
    while (true)
    {
        var engine = EnginePid();
        (result, contextBytes) = variant.Build(log);
        sample.Seconds = result.Elapsed.TotalSeconds;
        if (result.Ok || engine is null || sample.Repeats >= 2 || !WaitForEngine() || EnginePid() == engine)
        {
            break;
        }

        // The engine is shared: when something else restarts it mid-build, that build says nothing about the variant.
        sample.Repeats++;
        info.Notes.Add($"{label}: the Docker engine was restarted during the build (not by this harness); the build was repeated.");
        Say($"{label}: the Docker engine restarted during the build; repeating it");
        if (sample.Kind == "cold")
        {
            variant.MakeCold();
        }
    }

    if (!result.Ok)
    {
        Say($"{label}: FAILED after {sample.Seconds:0.0} s (log: {log})\n{result.Tail(15)}");
        throw new BenchException($"{sample.Kind} build {sample.Run} failed (exit {result.ExitCode}); log: {log}\n{result.Tail(15)}");
    }

    if (variant is MultiStageVariant or HeadlineVariant && System.Text.RegularExpressions.Regex.Match(result.Output, @"Built image \S+ .* in ([0-9.]+)s\s*$", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } engineLine)
    {
        sample.EngineSeconds = double.Parse(engineLine.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    var image = docker.Inspect(variant.ImageReference) ?? throw new BenchException($"{variant.ImageReference} is missing after a successful build");
    built.Add(image.Id);
    sample.Ok = true;
    sample.ImageId = image.Id;
    sample.ImageSize = image.Size;
    sample.ContextBytes = contextBytes;
    var changed = "";
    if (before is not null)
    {
        sample.NewLayerBytes = docker.NewLayerBytes(before, image, out var count);
        sample.NewLayers = count;
        changed = $", {count} new layer(s) {Report.Bytes(sample.NewLayerBytes.Value)}";
    }

    var ctx = (contextBytes is { } b ? $", context {Report.Bytes(b)}" : "") + (sample.EngineSeconds is { } e ? $", {e:0.0} s of it in the engine" : "");
    Say($"{label}: {sample.Seconds:0.0} s, image {Report.Bytes(image.Size)}{changed}{ctx}");
    return image;
}

GenerationResult MeasureGeneration()
{
    var g = new GenerationResult();
    var asset = Asset.All.Single(a => a.Name == "multiproject");
    var withSdk = Path.Combine(work, "gen", "sdk", asset.Name);
    var plain = Path.Combine(work, "gen", "plain", asset.Name);
    try
    {
        Workspace.Copy(Path.Combine(options.Repository, "testassets", asset.Name), withSdk);
        Workspace.PinSdkVersion(withSdk, info.SdkVersion);
        Workspace.Copy(Path.Combine(options.Repository, "testassets", asset.Name), plain);
        Workspace.RemoveMultiStageSdk(plain);
        var env = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(work, "nuget", "gen", "packages"),
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(work, "nuget", "gen", "http-cache"),
        };
        string[] plainArgs = ["publish", "-nologo"];
        string[] generatingArgs = ["publish", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={basePrefix}"];
        string[] generateOnlyArgs = ["build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={basePrefix}"];
        string[] idleArgs = ["publish", "-nologo", "-p:MultiStageGenerateOnPublish=false"];
        string Shown(string[] a) => "dotnet " + string.Join(' ', a).Replace(basePrefix, options.Registry, StringComparison.Ordinal);
        g.PlainCommand = Shown(plainArgs) + " (copy without MultiStage.Sdk)";
        g.GeneratingCommand = Shown(generatingArgs);
        g.GenerateOnlyCommand = Shown(generateOnlyArgs);
        g.IdleSdkCommand = Shown(idleArgs);

        double Time(string dir, string[] a, string log)
        {
            var r = Proc.Run("dotnet", a, Path.Combine(dir, asset.ProjectDirectory), Path.Combine(logs, log), env);
            return r.Ok ? r.Elapsed.TotalSeconds : throw new BenchException($"{string.Join(' ', a)} failed; log: {r.LogPath}\n{r.Tail()}");
        }

        // Warm-up: restore, first build and the first generation happen here, untimed.
        Time(plain, plainArgs, "gen-plain-warmup.log");
        Time(withSdk, generatingArgs, "gen-sdk-warmup.log");
        var dockerfile = Path.Combine(withSdk, "Dockerfile");
        g.DockerfileTimeBefore = File.GetLastWriteTimeUtc(dockerfile).ToString("O", CultureInfo.InvariantCulture);
        for (var i = 1; i <= options.GenerationRuns; i++)
        {
            // Interleaved, and in mirrored order every other round (plain, generating, idle; then idle, generating,
            // plain): a drift of the machine's speed over the run then hits all three alike, where a fixed order
            // would always run the generating publish a little later than the plain one.
            void Plain() => g.PlainPublish.Add(Time(plain, plainArgs, $"gen-plain-{i}.log"));
            void Idle() => g.IdleSdkPublish.Add(Time(withSdk, idleArgs, $"gen-idle-{i}.log"));
            var (first, last) = i % 2 == 1 ? ((Action)Plain, (Action)Idle) : (Idle, Plain);
            first();
            var before = Workspace.Snapshot(withSdk);
            g.GeneratingPublish.Add(Time(withSdk, generatingArgs, $"gen-sdk-{i}.log"));
            g.Written.Add(Workspace.Differences(before, Workspace.Snapshot(withSdk)));
            last();
            Say($"generation {i}/{options.GenerationRuns}: plain publish {g.PlainPublish[^1]:0.00} s, publish -t:ContainerizeMultiStage {g.GeneratingPublish[^1]:0.00} s, files written {g.Written[^1].Count}, publish with generation off {g.IdleSdkPublish[^1]:0.00} s");
        }

        for (var i = 1; i <= options.GenerationRuns; i++)
        {
            var before = Workspace.Snapshot(withSdk);
            g.GenerateOnly.Add(Time(withSdk, generateOnlyArgs, $"gen-only-{i}.log"));
            g.Written.Add(Workspace.Differences(before, Workspace.Snapshot(withSdk)));
            Say($"no-change rerun {i}/{options.GenerationRuns}: build -t:ContainerizeMultiStage {g.GenerateOnly[^1]:0.00} s, files written {g.Written[^1].Count}");
        }

        g.DockerfileTimeAfter = File.GetLastWriteTimeUtc(dockerfile).ToString("O", CultureInfo.InvariantCulture);

        // One more run, untimed, with MSBuild's performance summary: where the added time goes.
        var summary = Proc.Run("dotnet", [.. generatingArgs, "-clp:PerformanceSummary"], Path.Combine(withSdk, asset.ProjectDirectory), Path.Combine(logs, "gen-summary.log"), env);
        foreach (var line in summary.Output.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\s+(\d+) ms\s+(\S+)\s+(\d+) calls");
            if (m.Success && (m.Groups[2].Value.Contains("MultiStage", StringComparison.Ordinal) || m.Groups[2].Value is "GenerateDockerfile" or "ResolveEngineBuilder")
                && g.Breakdown.All(b => b.Name != m.Groups[2].Value))
            {
                g.Breakdown.Add((m.Groups[2].Value, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            }
        }
    }
    catch (BenchException e)
    {
        g.Error = e.Message;
        Say("generation measurements failed: " + e.Message.Split('\n')[0]);
    }

    return g;
}

void Preflight()
{
    if (!File.Exists(Docker.Cli))
    {
        throw new BenchException($"{Docker.Cli} is missing: run eng/testenv/up.sh (bench/run.sh does) first");
    }

    if (!docker.TryRun("version"))
    {
        throw new BenchException("the Docker engine does not answer: run eng/testenv/up.sh first");
    }

    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    try
    {
        http.GetAsync($"http://{options.Registry}/v2/").GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        throw new BenchException($"the registry on {options.Registry} does not answer ({e.Message}): run eng/testenv/up.sh first");
    }
}

string MachineDescription()
{
    var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
    var memKb = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    var kernel = Proc.Text("uname", Path.Combine(logs, "misc.log"), "-sr");
    return $"nproc {Environment.ProcessorCount} ({cpu}), {memKb / 1024.0 / 1024.0:0.0} GiB memory, {kernel}";
}

(string Commit, string State) SourceState()
{
    var log = Path.Combine(logs, "misc.log");
    var commit = Proc.Text("git", log, "-C", options.Repository, "rev-parse", "--short=12", "HEAD");
    var dirty = Proc.Text("git", log, "-C", options.Repository, "status", "--porcelain", "--", "src", "sdk");
    return (commit, dirty.Length == 0 ? "src/ and sdk/ as committed" : "src/ or sdk/ with uncommitted changes: " + string.Join(", ", dirty.Split('\n').Select(l => l.Trim()).Take(8)));
}

void PackSdk()
{
    Say($"packing MultiStage.Sdk {info.SdkVersion} from the working tree");
    var feed = Path.Combine(work, "feed");
    var r = Proc.Run("dotnet", ["pack", Path.Combine(options.Repository, "sdk", "MultiStage.Sdk.csproj"), "-c", "Release", "-o", feed, $"-p:Version={info.SdkVersion}", "-nologo"], options.Repository, Path.Combine(logs, "pack.log"));
    if (!r.Ok)
    {
        throw new BenchException($"dotnet pack of the SDK failed; log: {r.LogPath}\n{r.Tail()}");
    }

    // Above every copy: adds the feed to the user's sources, as a repository's NuGet.config would.
    File.WriteAllText(Path.Combine(work, "NuGet.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="multistage-bench" value="{feed}" />
          </packageSources>
        </configuration>

        """);
}

/// <summary>
/// Tags every 127.0.0.1:5000/dotnet/* image under a prefix of its own and pushes it there (layers are mounted, not
/// copied), all while holding the test environment's lock: the three variants then use one set of base images for
/// the whole run even if the test environment rebuilds its images meanwhile.
/// </summary>
void PinBaseImages()
{
    var refs = new List<string>();
    using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
    {
        foreach (var repo in new[] { "sdk", "runtime", "aspnet", "runtime-deps" })
        {
            using var doc = JsonDocument.Parse(http.GetStringAsync($"http://{options.Registry}/v2/dotnet/{repo}/tags/list").GetAwaiter().GetResult());
            if (doc.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
            {
                refs.AddRange(tags.EnumerateArray().Select(t => $"{options.Registry}/dotnet/{repo}:{t.GetString()}"));
            }
        }
    }

    refs = refs.Where(r => docker.Inspect(r) is not null).ToList();
    if (refs.Count == 0)
    {
        throw new BenchException($"no {options.Registry}/dotnet/* image is present: run eng/testenv/up.sh first");
    }

    var script = string.Join('\n', refs.Select(r => $"{Docker.Cli} tag {r} {Pinned(r)} && {Docker.Cli} image inspect --format '{{{{.Id}}}}' {Pinned(r)}"));
    const string lockFile = "/run/multistage-testenv/up.lock";
    var ids = File.Exists(lockFile)
        ? Proc.Text("flock", docker.LogPath, "-w", "3600", lockFile, "bash", "-ec", script)
        : Proc.Text("bash", docker.LogPath, "-ec", script);
    var idList = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("sha256:", StringComparison.Ordinal)).ToList();
    for (var i = 0; i < refs.Count; i++)
    {
        info.Pinned.Add(new PinnedImage { Original = refs[i], Pinned = Pinned(refs[i]), Id = idList[i] });
    }

    foreach (var p in info.Pinned)
    {
        docker.Text("push", p.Pinned);
    }

    Say($"pinned {info.Pinned.Count} base images under {basePrefix}/dotnet/");
}

string Pinned(string original) => basePrefix + original[options.Registry.Length..];

void CheckPinnedImages()
{
    foreach (var p in info.Pinned)
    {
        p.IdAtEnd = docker.Inspect(p.Original)?.Id;
    }

    var moved = info.Pinned.Where(p => p.IdAtEnd != p.Id).Select(p => p.Original).ToList();
    if (moved.Count > 0)
    {
        info.Notes.Add($"The test environment replaced {string.Join(", ", moved)} during the run; every build here used the snapshot taken at the start (IDs below).");
    }
}

void UnpinBaseImages() => Unpin(info.Pinned.Select(p => p.Pinned));

// A run that was killed outright (SIGKILL) leaves its images and base image names behind; the next run removes them.
// The run lock is held here, so no other benchmark is using them.
void SweepLeftovers()
{
    var containers = Proc.Run(Docker.Cli, ["ps", "-a", "--format", "{{.Names}}"], work, docker.LogPath);
    foreach (var name in containers.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(n => n.StartsWith("msbench-", StringComparison.Ordinal)))
    {
        docker.TryRun("rm", "-f", name);
    }

    var images = Proc.Run(Docker.Cli, ["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], work, docker.LogPath).Output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(l => l.Split(' '))
        .Where(p => p.Length == 2)
        .ToList();
    var pinnedPrefix = options.Registry + "/msbench-base/";
    // Pinned base images, and the fresh-runner mode's previous images, live in the registry too.
    var stale = images.Where(p => p[0].StartsWith(pinnedPrefix, StringComparison.Ordinal) || p[0].StartsWith(options.Registry + "/msbench/", StringComparison.Ordinal)).Select(p => p[0]).ToList();
    var leftovers = images.Where(p => p[0].StartsWith("msbench/", StringComparison.Ordinal)).ToList();
    if (stale.Count + leftovers.Count == 0)
    {
        return;
    }

    Say($"removing {leftovers.Count} image(s) and {stale.Count} base image name(s) left by an earlier run that was killed");
    foreach (var p in leftovers)
    {
        docker.TryRun("image", "rm", p[0]);
        docker.TryRun("image", "rm", p[1]);
    }

    Unpin(stale);
}

void Unpin(IEnumerable<string> pinnedRefs)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    foreach (var pinned in pinnedRefs)
    {
        var p = new { Pinned = pinned };
        // Drop the manifest from the registry (the blobs belong to the original repositories too), then the local names.
        var slash = p.Pinned.IndexOf('/');
        var colon = p.Pinned.LastIndexOf(':');
        var name = p.Pinned[(slash + 1)..colon];
        var tag = p.Pinned[(colon + 1)..];
        try
        {
            using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{options.Registry}/v2/{name}/manifests/{tag}");
            head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
            head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
            using var response = http.Send(head);
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var digests))
            {
                using var delete = new HttpRequestMessage(HttpMethod.Delete, $"http://{options.Registry}/v2/{name}/manifests/{digests.First()}");
                http.Send(delete);
            }
        }
        catch (HttpRequestException)
        {
        }

        var image = docker.Inspect(p.Pinned);
        docker.TryRun("image", "rm", p.Pinned);
        if (image is not null)
        {
            var result = Proc.Run(Docker.Cli, ["image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", image.Id], work, docker.LogPath);
            foreach (var digestRef in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(d => d.StartsWith(options.Registry + "/msbench-base/", StringComparison.Ordinal)))
            {
                docker.TryRun("image", "rm", digestRef);
            }
        }
    }
}

/// <summary>Fills PublishContainer's content store with the base image's layers, as the engine already holds them for (a) and (b).</summary>
void PrimeContentStore(string baseImage, string containersTemp)
{
    var dir = Path.Combine(work, "prime", Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, "Prime.csproj"), """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
        </Project>
        """);
    File.WriteAllText(Path.Combine(dir, "Program.cs"), "System.Console.WriteLine(\"prime\");\n");
    var r = Proc.Run(
        "dotnet",
        ["publish", "-t:PublishContainer", "--os", "linux", "--arch", "x64", "-nologo", $"-p:ContainerBaseImage={baseImage}", $"-p:ContainerArchiveOutputPath={Path.Combine(dir, "image.tar.gz")}"],
        dir,
        Path.Combine(logs, "prime.log"),
        new Dictionary<string, string?>
        {
            ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = options.Registry,
            ["TMPDIR"] = containersTemp,
            ["NUGET_PACKAGES"] = Path.Combine(work, "nuget", "prime", "packages"),
        });
    DeleteQuietly(dir);
    if (!r.Ok)
    {
        throw new BenchException($"PublishContainer could not pull {baseImage}; log: {r.LogPath}\n{r.Tail()}");
    }
}

void RemoveImages(HashSet<string> ids)
{
    if (options.Keep)
    {
        return;
    }

    foreach (var id in ids.ToList())
    {
        var result = Proc.Run(Docker.Cli, ["image", "inspect", "--format", "{{range .RepoTags}}{{println .}}{{end}}", id], work, docker.LogPath);
        if (result.Ok)
        {
            foreach (var tag in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => t.StartsWith("msbench/", StringComparison.Ordinal)))
            {
                docker.TryRun("image", "rm", tag);
            }

            // Gone now unless something else still names it (never forced: a base image is never removed here).
            docker.TryRun("image", "rm", id);
        }

        ids.Remove(id);
    }
}

IDisposable AcquireRunLock()
{
    var path = Path.Combine(Path.GetTempPath(), "multistage-bench.lock");
    for (var waited = 0; ; waited++)
    {
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (waited < 3600)
        {
            if (waited == 0)
            {
                Say("waiting for another benchmark run to finish");
            }

            // Interrupted while waiting: nothing of this run exists yet, so there is nothing to clean up.
            if (cancel.Token.WaitHandle.WaitOne(1000))
            {
                Console.Error.WriteLine("[bench] interrupted while waiting for the other run");
                Environment.Exit(130);
            }
        }
    }
}

// dockerd's pid file: a different pid after a build means the engine was restarted during it.
static string? EnginePid()
{
    try
    {
        return File.Exists("/var/run/docker.pid") ? File.ReadAllText("/var/run/docker.pid").Trim() : null;
    }
    catch (IOException)
    {
        return null;
    }
}

bool WaitForEngine()
{
    for (var i = 0; i < 90; i++)
    {
        if (docker.TryRun("version"))
        {
            return true;
        }

        Thread.Sleep(2000);
    }

    return false;
}

static void DeleteQuietly(string path)
{
    try
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
    catch (IOException)
    {
    }
    catch (UnauthorizedAccessException)
    {
    }
}
