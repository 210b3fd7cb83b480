using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiStage.Bench;

/// <summary>One build step as BuildKit's plain progress names it, with its time, or CACHED.</summary>
internal sealed record BuildStep(string Name, double Seconds, bool Cached);

/// <summary>
/// Reads per-step times from BuildKit's plain progress ("#N name", "#N DONE 1.2s", "#N CACHED"), which both
/// <c>docker build --progress=plain</c> and the SDK's engine client at normal verbosity print.
/// </summary>
internal static partial class BuildSteps
{
    public static List<BuildStep> Parse(string output)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        var done = new Dictionary<string, (double Seconds, bool Cached)>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            // MSBuild's file logger indents the engine client's lines.
            var line = raw.Trim();
            if (StepLine().Match(line) is not { Success: true } m)
            {
                continue;
            }

            var id = m.Groups[1].Value;
            var rest = m.Groups[2].Value.Trim();
            if (rest == "CACHED")
            {
                done[id] = (0, true);
            }
            else if (DoneLine().Match(rest) is { Success: true } d)
            {
                done[id] = (double.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture), false);
            }
            else if (!names.ContainsKey(id) && (rest.StartsWith('[') || rest.StartsWith("importing cache", StringComparison.Ordinal) || rest.StartsWith("exporting", StringComparison.Ordinal)))
            {
                names[id] = rest;
                order.Add(id);
            }
        }

        return order.Where(done.ContainsKey).Select(id => new BuildStep(Shorten(names[id]), done[id].Seconds, done[id].Cached)).ToList();
    }

    /// <summary>The step's name without its numbering ("[build 5/9] RUN …"), cut short: the same step in every run.</summary>
    private static string Shorten(string name)
    {
        // Whitespace first: BuildKit pads the step number ("[build  2/15]").
        var text = Numbering().Replace(Regex.Replace(name, @"\s+", " "), "[$1]");
        // A RUN is named by the dotnet command it runs; its mounts would fill the width.
        if (Regex.Match(text, @"^(\[[^\]]*\] RUN )(?:.*?)(dotnet (?:restore|publish)\b.*)$") is { Success: true } run)
        {
            text = run.Groups[1].Value + run.Groups[2].Value;
        }

        return text.Length > 70 ? text[..70] + "…" : text;
    }

    [GeneratedRegex(@"^#(\d+) (.*)$")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^DONE ([0-9.]+)s$")]
    private static partial Regex DoneLine();

    [GeneratedRegex(@"^\[([^\]\s]+)(?: \d+/\d+)?\]")]
    private static partial Regex Numbering();
}
