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
var results = new RunResults();
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
    if (options.Runs("rebuild"))
    {
        new RebuildRounds(run, builds, context).MeasureAll(results.Rebuild);
        if (options.Generation && options.Assets.Any(a => a.Name == "multiproject") && options.Variants.Contains("a"))
        {
            results.Generation = GenerationBenchmark.Measure(run);
        }
    }

    if (options.Runs("fresh"))
    {
        // A folder and image tag of its own: its variants (a) and (b) would otherwise take the rebuild part's copies.
        var freshContext = context with { Work = Path.Combine(work, "fresh"), Stamp = stamp + "-fresh" };
        fresh = new FreshRunner(freshContext, new FreshRunner.Hooks((v, s, label) => builds.BuildOnce(v, s, label), BenchRun.Say, baseImages.Unpin, Builds.Guard, info.Notes.Add));
        foreach (var asset in options.FreshRunnerAssets)
        {
            var result = new AssetResult(asset);
            results.Fresh.Add(result);
            fresh.Measure(result, Builds.Prepare(result, fresh.Variants(asset)));
            builds.RemoveImages();
            Workspace.DeleteQuietly(Path.Combine(freshContext.Work, "nuget"));
        }
    }

    if (options.Runs("solution"))
    {
        results.Solution = SolutionBenchmark.Measure(run);
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

var report = Report.Markdown(options, info, results);
var jsonPath = Path.Combine(options.Repository, "artifacts", "bench", $"results-{stamp}.json");
Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!);
object Assets(List<AssetResult> list) => list.Select(r => new { asset = r.Asset.Name, r.AotBaseImage, r.AotBaseSize, variants = r.Variants.Values });
File.WriteAllText(jsonPath, JsonSerializer.Serialize(new { info, results = Assets(results.Rebuild), results.Generation, fresh = Assets(results.Fresh), results.Solution }, new JsonSerializerOptions { WriteIndented = true, IncludeFields = true }));
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
var failed = results.Rebuild.Concat(results.Fresh).Any(r => r.Variants.Values.Any(v => v.Error is not null)) || results.Generation?.Error is not null || results.Solution?.Error is not null || info.Stopped;
if (!options.Keep && !interrupted && !failed)
{
    Workspace.DeleteQuietly(work);
}
else
{
    Console.WriteLine($"[bench] scratch folder and logs kept in {work}");
}

return interrupted ? 130 : 0;
