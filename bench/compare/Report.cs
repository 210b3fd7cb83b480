using System.Globalization;
using System.Text;

namespace MultiStage.Bench;

/// <summary>
/// The markdown written to docs/benchmarks.md: what was run, on what, every target of the parts that ran, then each
/// part's section (RebuildReport, FreshRunnerReport, SolutionReport) and every sample.
/// </summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB"];
        var unit = 0;
        while (Math.Abs(bytes) >= 1000 && unit < units.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }

        return unit == 0 ? string.Create(Inv, $"{bytes:0} B") : string.Create(Inv, $"{bytes:0.0} {units[unit]}");
    }

    public static string Seconds(double? s) => s is { } v ? string.Create(Inv, $"{v:0.0} s") : "–";

    public static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y > 0
            ? (x / y) switch
            {
                < 0.1 => string.Create(Inv, $"{x / y:0.000}"),
                < 10 => string.Create(Inv, $"{x / y:0.00}"),
                < 100 => string.Create(Inv, $"{x / y:0.0}"),
                _ => string.Create(Inv, $"{x / y:0}"),
            }
            : "–";

    private static string Size(double? b) => b is { } v ? Bytes(v) : "–";

    public static string Markdown(Options options, RunInfo info, RunResults results)
    {
        // The summary (targets) goes first in the report; it is only known once every section below is written.
        var targets = new List<(string Name, string Measured, bool Pass)>();
        var sections = new List<string>();
        var runs = new List<string>();
        if (options.Runs("rebuild"))
        {
            sections.Add(RebuildReport.Section(options, info, results.Rebuild, results.Generation, targets));
            runs.Add($"{options.ColdRuns} cold and {options.WarmRuns} warm per asset and variant (medians shown), {options.GenerationRuns} for the generation-only measurements");
        }

        if (options.Runs("fresh"))
        {
            sections.Add(FreshRunnerReport.Section(options, results.Fresh, targets));
            runs.Add($"{options.FreshRuns} fresh-runner round(s) per asset; in each, the four variants take turns (order mirrored every other round); medians shown");
        }

        if (options.Runs("solution"))
        {
            sections.Add(SolutionReport.Section(results.Solution, targets));
            runs.Add($"{options.SolutionRuns} solution round(s), the two builds taking turns (order mirrored every other round); medians shown");
        }

        var title = options.Parts is [var only] ? Titles[only] : Titles["rebuild"] + ", a fresh CI runner, a whole repository";
        sections.Add(Details(info, [(results.Rebuild, k => $"({k})"), (results.Fresh, k => "fresh " + FreshRunner.Label(k))]));
        // Each section ends as it likes; one blank line between them.
        var md = string.Join("\n\n", sections.Select(t => t.Trim('\n'))) + "\n";
        var skipped = Options.AllParts.Where(p => !options.Runs(p)).ToList();
        var note = skipped.Count == 0 ? "" : $"Not measured in this run (`--parts`), so not judged here: the targets of {string.Join(" and ", skipped)}.\n\n";
        return Header(options, info, title, string.Join("; ", runs)) + Targets(targets) + note + md;
    }

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["rebuild"] = "Benchmarks: MultiStage.Sdk, the sample Dockerfile and PublishContainer",
        ["fresh"] = "Benchmarks: a fresh CI runner, with and without a registry cache",
        ["solution"] = "Benchmarks: a whole repository's solution",
    };

    /// <summary>What was run, when, on what machine and under what load: the opening of every report.</summary>
    private static string Header(Options options, RunInfo info, string title, string runs)
    {
        var md = new StringBuilder();
        md.AppendLine("# " + title);
        md.AppendLine();
        md.AppendLine("Written by `bench/run.sh` (harness in `bench/compare/`); every number below was measured in the run described here.");
        md.AppendLine();
        md.AppendLine($"- Run: {info.StartedUtc} to {info.FinishedUtc} ({info.TotalMinutes:0} min)");
        md.AppendLine($"- Command: `{options.Command}`");
        md.AppendLine($"- Machine: {info.Machine}; load average at start `{info.LoadStart}`, at end `{info.LoadEnd}`");
        if (double.TryParse(info.LoadStart.Split(' ')[0], NumberStyles.Float, Inv, out var load) && load > Environment.ProcessorCount)
        {
            md.AppendLine("  (other work was running on the machine at the same time: the times carry that noise, which the turn-taking spreads over the variants but does not remove)");
        }

        md.AppendLine($"- Docker: {info.DockerVersion}; .NET SDK {info.DotnetVersion}");
        md.AppendLine($"- MultiStage.Sdk: packed as {info.SdkVersion} from commit {info.Commit} ({info.TreeState})");
        md.AppendLine($"- Parts: {string.Join(", ", options.Parts)} (`--parts`)");
        md.AppendLine($"- Runs: {runs}");
        md.AppendLine();
        return md.ToString();
    }

    /// <summary>The targets table that opens a report's findings.</summary>
    private static string Targets(IReadOnlyList<(string Name, string Measured, bool Pass)> targets)
    {
        var summary = new StringBuilder();
        summary.AppendLine("## Targets");
        summary.AppendLine();
        summary.AppendLine("| Target | Measured | Result |");
        summary.AppendLine("| --- | --- | --- |");
        foreach (var (name, measured, pass) in targets)
        {
            summary.AppendLine($"| {name} | {measured} | {(pass ? "PASS" : "FAIL")} |");
        }

        summary.AppendLine();
        summary.AppendLine($"{targets.Count(t => t.Pass)} of {targets.Count} targets met. A target whose inputs were not measured counts as FAIL.");
        summary.AppendLine();
        return summary.ToString();
    }

    /// <summary>Every sample, the commands, the base images and the notes: the end of every report.</summary>
    private static string Details(RunInfo info, IReadOnlyList<(IReadOnlyList<AssetResult> Results, Func<string, string> Label)> groups)
    {
        var all = groups.SelectMany(g => g.Results.SelectMany(r => r.Variants.Values.Select(v => (r.Asset, Variant: v, Label: g.Label(v.Key))))).ToList();
        var md = new StringBuilder();
        // A run of the solution part alone has no image builds to list.
        if (all.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Every sample");
            md.AppendLine();
            md.AppendLine("| Asset | Variant | Build | Time | (a): in the engine | Image size | New layers (bytes) | Context sent |");
            md.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (asset, v, label) in all)
            {
                foreach (var s in v.Cold.Concat(v.Warm))
                {
                    var layers = s.NewLayerBytes is { } n ? $"{s.NewLayers} ({Bytes(n)})" : "";
                    var repeated = s.Repeats > 0 ? " (repeated: engine restarted)" : "";
                    md.AppendLine($"| {asset.Name} | {label} | {s.Kind} {s.Run}{repeated} | {(s.Ok ? Seconds(s.Seconds) : "failed")} | {(s.EngineSeconds is null ? "" : Seconds(s.EngineSeconds))} | {Size(s.ImageSize)} | {layers} | {Size(s.ContextBytes)} |");
                }
            }

            md.AppendLine();
            md.AppendLine("## Commands");
            md.AppendLine();
            foreach (var (asset, v, label) in all.GroupBy(x => x.Label).Select(g => g.First()))
            {
                md.AppendLine($"- {label} e.g. {asset.Name}: `{v.Command}`");
            }
        }

        if (info.Pinned.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Base images (snapshot):");
            md.AppendLine();
            foreach (var p in info.Pinned)
            {
                md.AppendLine($"- `{p.Original}` {p.Id[7..19]}{(p.IdAtEnd == p.Id ? "" : $" (replaced by the test environment during the run: now {p.IdAtEnd?[7..19] ?? "gone"})")}");
            }
        }

        var failures = all.Where(x => x.Variant.Error is not null).Select(x => $"{x.Asset.Name} {x.Label}: {x.Variant.Error!.Split('\n')[0]}").ToList();
        if (info.Notes.Count > 0 || failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in info.Notes.Concat(failures))
            {
                md.AppendLine($"- {note}");
            }
        }

        return md.ToString();
    }
}
