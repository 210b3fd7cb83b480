using System.Globalization;
using System.Text;

namespace MultiStage.Bench;

/// <summary>The fresh part's section of the report: what is compared, medians and targets, per-step times.</summary>
internal static class FreshRunnerReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Section(Options options, IReadOnlyList<AssetResult> results, List<(string Name, string Measured, bool Pass)> targets)
    {
        var rounds = options.FreshRuns;
        var md = new StringBuilder();
        md.AppendLine("## Fresh CI runner");
        md.AppendLine();
        md.AppendLine($"The repository targets of a fresh runner, on {string.Join(", ", Options.FreshRunnerAssetNames)}.");
        md.AppendLine();
        md.AppendLine("### What is compared");
        md.AppendLine();
        md.AppendLine("Every build below starts as a fresh CI runner does: `docker builder prune -af` (no build cache, no cache mounts; the base images stay), no local copy of any earlier image of the variant, no `bin/`/`obj/` and empty NuGet folders on the host; then the app's `Program.cs` (multiproject: `src/App/Program.cs`) gets one more comment line, and the build is timed.");
        md.AppendLine();
        md.AppendLine($"- **(a) MultiStage.Sdk with the registry cache**: `dotnet build --no-restore -t:ContainerizeMultiStage -p:MultiStageBuildImage=true -p:MultiStageCacheTo=inline -p:MultiStageCacheFrom=<previous image>%3B<build stage cache> …`, `--no-restore` as the CI recipes (docs/ci/) run it: the build stage restores in the image, and a host restore on an empty runner costs more than the rest of the host's part (docs/benchmarks-cold.md). The previous image is the same command's image of the unedited sources (\"the previous commit\"), pushed to `{options.Registry}` before the rounds, built with `-p:ContainerRegistry={options.Registry}` as a CI job, so the SDK also pushed its build stage's cache (`MultiStageBuildStageCache`, tag `buildcache`); the local copies are removed, so both caches come from the registry. The fresh rounds push nothing, as (b') pushes nothing.");
        md.AppendLine("- **(a0) MultiStage.Sdk without a registry cache**: the same command without the two cache properties: the cold build of the generated Dockerfile (the issue's \"cold, no registry cache\" figure).");
        md.AppendLine("- **(b) sample Dockerfile, cold**: the official samples' pattern (`bench/compare/dockerfiles/`), `docker build --network host`.");
        md.AppendLine("- **(b') sample Dockerfile with its own registry cache**: `docker build --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from <previous image>`, the previous image built and pushed the same way.");
        md.AppendLine();
        md.AppendLine("Judged on the whole command (what a CI job waits for). (a)'s engine figure is the part its engine client reports, from sending the context to the tagged image; the rest is MSBuild start-up and generation on the host. (a) and (a0) log their build steps with MSBuild's file logger at normal verbosity (`-flp`), the steps table's source.");
        md.AppendLine();
        md.AppendLine("### Results");
        md.AppendLine();
        md.AppendLine($"Medians of {rounds} round(s).");
        md.AppendLine();
        md.AppendLine("| Asset | (a) | (a) in the engine | (a0) | (a0) in the engine | (b) | (b') | (a)/(b) | (a)/(b') | (a0)/(b) |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            double? Whole(string key) => r[key]?.ColdSeconds;
            double? Engine(string key) => Stats.Median(r[key]?.Cold.Where(s => s.Ok && s.EngineSeconds is not null).Select(s => s.EngineSeconds!.Value) ?? []);
            var (a, a0, b, b2) = (Whole("a"), Whole("a0"), Whole("b"), Whole("b2"));
            md.AppendLine($"| {r.Asset.Name} | {Seconds(a)} | {Seconds(Engine("a"))} | {Seconds(a0)} | {Seconds(Engine("a0"))} | {Seconds(b)} | {Seconds(b2)} | {Ratio(a, b)} | {Ratio(a, b2)} | {Ratio(a0, b)} |");
        }

        // Every asset the targets name gets its targets, measured or not: one left out by --assets or failed is FAIL.
        foreach (var name in Options.FreshRunnerAssetNames)
        {
            var r = results.FirstOrDefault(r => r.Asset.Name == name);
            double? Whole(string key) => r?[key]?.ColdSeconds;
            double? Engine(string key) => Stats.Median(r?[key]?.Cold.Where(s => s.Ok && s.EngineSeconds is not null).Select(s => s.EngineSeconds!.Value) ?? []);
            var (a, a0, b, b2) = (Whole("a"), Whole("a0"), Whole("b"), Whole("b2"));
            if (name == "multiproject")
            {
                targets.Add(Target("multiproject: fresh runner (a) ≤ 0.5×(b)", a, b, 0.5, Engine("a")));
                targets.Add(Target("multiproject: fresh runner (a) ≤ 0.8×(b')", a, b2, 0.8, Engine("a")));
            }

            targets.Add(Target($"{name}: fresh runner (a) ≤ 1.0×(b')", a, b2, 1.0, Engine("a")));
            targets.Add(Target($"{name}: cold, no registry cache (a0) ≤ 1.0×(b)", a0, b, 1.0, Engine("a0")));
        }

        md.AppendLine();
        md.AppendLine("### Build steps");
        md.AppendLine();
        md.AppendLine("Per step, the median time over the rounds from BuildKit's progress (`#N DONE 1.2s`; steps run in parallel where BuildKit can, so they do not add up to the whole); steps under 0.2 s left out; \"cached\" counts the rounds where BuildKit took the step from a cache.");
        md.AppendLine();
        md.AppendLine("| Asset | Variant | Step | Median | Cached |");
        md.AppendLine("| --- | --- | --- | ---: | ---: |");
        foreach (var r in results)
        {
            foreach (var v in r.Variants.Values)
            {
                var samples = v.Cold.Where(s => s.Ok).ToList();
                foreach (var step in samples.SelectMany(s => s.Steps).GroupBy(s => s.Name))
                {
                    var median = Stats.Median(step.Select(s => s.Seconds));
                    var cached = step.Count(s => s.Cached);
                    if (median >= 0.2 || cached > 0)
                    {
                        md.AppendLine($"| {r.Asset.Name} | {FreshRunner.Label(v.Key)} | `{step.Key.Replace("|", "\\|", StringComparison.Ordinal)}` | {Seconds(median)} | {cached} of {samples.Count} |");
                    }
                }
            }
        }

        md.AppendLine();
        return md.ToString();
    }

    private static (string, string, bool) Target(string name, double? x, double? y, double limit, double? engine) =>
        (name,
            x is null || y is null ? $"not measured ({Seconds(x)} vs {Seconds(y)})" : $"{Seconds(x)} vs {Seconds(y)} ({Ratio(x, y)}×){(engine is null ? "" : $"; in the engine {Seconds(engine)}")}",
            x is not null && y is not null && x <= limit * y);

    private static string Seconds(double? s) => s is { } v ? string.Create(Inv, $"{v:0.0} s") : "–";

    private static string Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? string.Create(Inv, $"{x / y:0.00}") : "–";
}
