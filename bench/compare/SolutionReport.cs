using System.Globalization;
using System.Text;

namespace MultiStage.Bench;

/// <summary>The solution part's section of the report: every round, the medians and the target.</summary>
internal static class SolutionReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Section(SolutionResult? s, List<(string Name, string Measured, bool Pass)> targets)
    {
        var md = new StringBuilder();
        var plain = Stats.Median(s?.PlainBuild ?? []);
        var generation = Stats.Median(s?.Generation ?? []);
        var pass = plain is not null && generation is not null && generation <= SolutionBenchmark.Limit * plain;
        var limit = string.Create(Inv, $"{SolutionBenchmark.Limit:0.0}");
        var measured = plain is null || generation is null
            ? "not measured"
            : string.Create(Inv, $"{Report.Seconds(generation)} vs {Report.Seconds(plain)} ({generation / plain:0.00}×)");
        targets.Add(($"repository: solution generation, nothing changed, ≤ {limit}× a plain build", measured, pass));

        md.AppendLine("## Whole repository: solution generation");
        md.AppendLine();
        md.AppendLine($"`testassets/repo` (2 applications, 3 libraries, 1 test project, a `.slnx`), copied twice, one copy without MultiStage.Sdk (its `Directory.Build.targets` emptied, no `Directory.Solution.targets`), both with a `global.json` naming the packed SDK. Both built once untimed (restore, first build, first generation), then timed in turns, in mirrored order every other round, nothing changed between rounds: `{s?.PlainCommand ?? "not run"}` against `{s?.GenerationCommand ?? "not run"}`. Target: the generation takes at most {limit}× the plain build (medians).");
        md.AppendLine();
        md.AppendLine("| Round | plain build | solution generation | ratio |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        for (var i = 0; i < Math.Min(s?.PlainBuild.Count ?? 0, s?.Generation.Count ?? 0); i++)
        {
            md.AppendLine(string.Create(Inv, $"| {i + 1} | {s!.PlainBuild[i]:0.00} s | {s.Generation[i]:0.00} s | {s.Generation[i] / s.PlainBuild[i]:0.00} |"));
        }

        var ratio = plain is not null && generation is not null ? string.Create(Inv, $"{generation / plain:0.00}") : "–";
        md.AppendLine($"| **median of {s?.PlainBuild.Count ?? 0}** | **{Report.Seconds(plain)}** | **{Report.Seconds(generation)}** | **{ratio}** (target ≤ {limit}): {(pass ? "PASS" : "FAIL")} |");
        if (s?.Error is not null)
        {
            md.AppendLine();
            md.AppendLine($"The solution benchmark failed: `{s.Error.Split('\n')[0]}`");
        }

        md.AppendLine();
        return md.ToString();
    }
}
