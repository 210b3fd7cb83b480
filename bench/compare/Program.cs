using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using MultiStage.Bench;

// Compares, on the same machine, run and base images: (a) MultiStage.Sdk, (b) the sample Dockerfile, (c) PublishContainer.
// See docs/benchmarks.md for what is measured and how. This file orders the run; each part has a file of its own.
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
void Interrupt(PosixSignalContext signal)
{
    signal.Cancel = true;
    Console.Error.WriteLine($"[bench] {signal.Signal}: stopping and cleaning up");
    cancel.Cancel();
}

using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Interrupt);
Proc.Cancellation = cancel.Token;

var stamp = DateTime.UtcNow.ToString("yyyyMMdd't'HHmmss", CultureInfo.InvariantCulture);
var work = options.Work.Length > 0 ? options.Work : Path.Combine("/tmp/multistage-bench", stamp);
Directory.CreateDirectory(work);
var run = new BenchRun(options, work, stamp);
var info = run.Info;
info.StartedUtc = Proc.Text("date", run.MiscLog, "-u");
var started = Stopwatch.StartNew();
var builds = new Builds(run);
var baseImages = new BaseImages(run);
var results = new List<AssetResult>();
GenerationResult? generation = null;
FreshRunner? fresh = null;
EngineProxy? proxy = null;

using var runLock = RunLock.Acquire(cancel.Token);
if (runLock is null)
{
    // Interrupted while waiting: nothing of this run exists yet, so there is nothing to clean up.
    Console.Error.WriteLine("[bench] interrupted while waiting for the other run");
    return 130;
}

try
{
    RunEnvironment.Preflight(run);
    baseImages.SweepLeftovers();
    RunEnvironment.Describe(run);
    if (options.Pin)
    {
        baseImages.Pin();
    }

    info.SdkVersion = $"0.0.0-bench.{stamp}";
    RunEnvironment.PackSdk(run);
    proxy = new EngineProxy(Path.Combine(work, "engine.sock"), EngineProxy.DefaultUpstream());
    var containersTemp = Path.Combine(work, "containers-tmp");
    Directory.CreateDirectory(containersTemp);
    var context = new BenchContext(options, work, stamp, info.SdkVersion, run.BasePrefix, run.Docker, proxy, containersTemp);
    var rounds = new RebuildRounds(run, builds, context);
    var primed = new HashSet<string>(StringComparer.Ordinal);
    fresh = options.FreshRunner
        ? new FreshRunner(context, new FreshRunner.Hooks((v, s, label) => builds.BuildOnce(v, s, label), BenchRun.Say, baseImages.Unpin, Builds.Guard, info.Notes.Add))
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
            Builds.Guard(vr, variant, () =>
            {
                variant.Prepare();
                vr.Command = variant.CommandLine;
                if (variant is PublishContainerVariant c && primed.Add(c.BaseImage))
                {
                    rounds.PrimeContentStore(c.BaseImage);
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
            rounds.Measure(result, variants);
        }

        builds.RemoveImages();
        Workspace.DeleteQuietly(Path.Combine(work, "nuget"));
    }

    if (options.Generation && options.Assets.Any(a => a.Name == "multiproject") && options.Variants.Contains("a"))
    {
        generation = GenerationBenchmark.Measure(run);
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
    info.FinishedUtc = Proc.Text("date", run.MiscLog, "-u");
    info.TotalMinutes = started.Elapsed.TotalMinutes;
    proxy?.Dispose();
    baseImages.CheckPinned();
    if (!options.Keep)
    {
        fresh?.Cleanup();
        builds.RemoveImages();
        baseImages.UnpinAll();
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
    Workspace.DeleteQuietly(work);
}
else
{
    Console.WriteLine($"[bench] scratch folder and logs kept in {work}");
}

return interrupted ? 130 : 0;
