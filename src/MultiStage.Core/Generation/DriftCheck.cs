using System.Text;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// What MultiStageCheck says when the files on disk are stale: each file's unified diff and, when the committed
/// Dockerfile is exactly what a different value of a property usually given on the command line generates, which
/// property and value that is.
/// </summary>
public static class DriftCheck
{
    /// <summary>A log for the trial generations, whose errors are not the user's.</summary>
    public static ILog Silent { get; } = new SilentLog();

    /// <summary>The message of MSTAGE113: which files differ, why when known, and how.</summary>
    public static string Describe(IReadOnlyList<string> stale, IReadOnlyDictionary<string, string> generated, string? why)
    {
        var text = new StringBuilder();
        text.Append(string.Join(" and ", stale)).Append(stale.Count == 1 ? " is" : " are").Append(" not what the project generates now. ");
        text.Append(why ?? "Run 'dotnet build -t:ContainerizeMultiStage' (on the project or its solution) with the same properties and commit the result.");
        foreach (var path in stale)
        {
            text.Append('\n').Append(UnifiedDiff.Render(path, IO.AtomicFile.ReadOrNull(path), generated.TryGetValue(path, out var now) ? now : "").TrimEnd('\n'));
        }

        return text.ToString();
    }

    /// <summary>
    /// The property whose other value generates <paramref name="onDisk"/> exactly, said as a fix; null when none does.
    /// <paramref name="render"/> generates the Dockerfile's text with other settings (null when they fail).
    /// </summary>
    public static string? Explain(ContainerSettings settings, string onDisk, string generated, Func<ContainerSettings, string?> render)
    {
        var candidates = Candidates(settings, onDisk).ToList();
        // Each property alone, then all together.
        var trials = candidates.Select(c => new[] { c }).ToList();
        if (candidates.Count > 1)
        {
            trials.Add(candidates.ToArray());
        }

        foreach (var trial in trials)
        {
            var changed = trial.Aggregate(settings, (s, c) => c.Apply(s));
            if (render(changed) == onDisk && onDisk != generated)
            {
                var said = string.Join(" ", trial.Select(c => $"-p:{c.Property}={c.Value}"));
                var now = string.Join(", ", trial.Select(c => $"{c.Property}={(c.Current.Length == 0 ? "(empty)" : c.Current)}"));
                return $"The file on disk was generated with {said}; this run has {now}. Pass the same value to the check (or set it in Directory.Build.props so every command has it), or regenerate without it and commit the result.";
            }
        }

        return null;
    }

    /// <summary>The properties commonly given on the command line that change the output, with the value the file on disk suggests.</summary>
    private static IEnumerable<Candidate> Candidates(ContainerSettings settings, string onDisk)
    {
        if (MirrorOf(onDisk) is { } mirror && !string.Equals(mirror, settings.BaseImageRegistry, StringComparison.OrdinalIgnoreCase))
        {
            yield return new Candidate("MultiStageBaseImageRegistry", mirror, settings.BaseImageRegistry, s => s with { BaseImageRegistry = mirror });
        }

        var other = string.Equals(settings.SdkSource, nameof(SdkSource.Feed), StringComparison.OrdinalIgnoreCase) ? nameof(SdkSource.Context) : nameof(SdkSource.Feed);
        yield return new Candidate("MultiStageSdkSource", other, settings.SdkSource, s => s with { SdkSource = other });
    }

    /// <summary>The registry in front of <c>/dotnet/</c> in the first FROM line ("" for Microsoft's own), or null when it names no .NET image.</summary>
    private static string? MirrorOf(string dockerfile)
    {
        var from = dockerfile.Split('\n').FirstOrDefault(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        var image = from?.Split(' ').Skip(1).FirstOrDefault(w => w.Length > 0 && !w.StartsWith("--", StringComparison.Ordinal));
        var at = image?.IndexOf("/dotnet/", StringComparison.Ordinal) ?? -1;
        if (at <= 0)
        {
            return null;
        }

        var registry = image!.Substring(0, at);
        return registry == "mcr.microsoft.com" ? "" : registry;
    }

    private sealed record Candidate(string Property, string Value, string Current, Func<ContainerSettings, ContainerSettings> Apply);

    private sealed class SilentLog : ILog
    {
        public void Error(string code, string message, string? file = null)
        {
        }

        public void Warning(string code, string message, string? file = null)
        {
        }

        public void Info(string message, Verbosity verbosity = Verbosity.Normal)
        {
        }
    }
}
