namespace MultiStage.Bench;

internal sealed class Sample
{
    public required string Kind { get; init; }
    public required int Run { get; init; }
    public double Seconds { get; set; }
    public bool Ok { get; set; }
    public string Log { get; set; } = "";
    public string? ImageId { get; set; }
    public long? ImageSize { get; set; }
    public long? NewLayerBytes { get; set; }
    public int NewLayers { get; set; }
    public long? ContextBytes { get; set; }
    /// <summary>(a) only: the part of the time the engine spent building, as the SDK's engine client reports it.</summary>
    public double? EngineSeconds { get; set; }
    /// <summary>Fresh-runner mode: the build's steps with their times, from BuildKit's progress.</summary>
    public List<BuildStep> Steps { get; set; } = [];
    /// <summary>Times the build was repeated because the shared engine restarted during it.</summary>
    public int Repeats { get; set; }
}

internal sealed class VariantResult
{
    public required string Key { get; init; }
    public string Command { get; set; } = "";
    public List<Sample> Cold { get; } = [];
    public List<Sample> Warm { get; } = [];
    public string? RuntimeBase { get; set; }
    public long? FinalSize { get; set; }
    public bool? Runs { get; set; }
    public string RunOutput { get; set; } = "";
    public long? AotBinarySize { get; set; }
    public string? AotBinaryPath { get; set; }
    public string? Error { get; set; }

    public double? ColdSeconds => Stats.Median(Cold.Where(s => s.Ok).Select(s => s.Seconds));
    public double? WarmSeconds => Stats.Median(Warm.Where(s => s.Ok).Select(s => s.Seconds));
    public double? WarmEngineSeconds => Stats.Median(Warm.Where(s => s.Ok && s.EngineSeconds is not null).Select(s => s.EngineSeconds!.Value));
    public double? ChangedBytes => Stats.Median(Warm.Where(s => s.Ok && s.NewLayerBytes is not null).Select(s => (double)s.NewLayerBytes!.Value));
    public double? ColdContext => Stats.Median(Cold.Where(s => s.Ok && s.ContextBytes is not null).Select(s => (double)s.ContextBytes!.Value));
    public double? WarmContext => Stats.Median(Warm.Where(s => s.Ok && s.ContextBytes is not null).Select(s => (double)s.ContextBytes!.Value));

    /// <summary>Complete means every planned run succeeded; a median over fewer runs is still shown but marked.</summary>
    public bool Complete(int cold, int warm) => Error is null && Cold.Count(s => s.Ok) == cold && Warm.Count(s => s.Ok) == warm;
}

internal sealed class AssetResult(Asset asset)
{
    public Asset Asset { get; } = asset;
    public Dictionary<string, VariantResult> Variants { get; } = new(StringComparer.Ordinal);
    public long? AotBaseSize { get; set; }
    public string? AotBaseImage { get; set; }

    public VariantResult? this[string key] => Variants.TryGetValue(key, out var v) ? v : null;
}

internal sealed class GenerationResult
{
    public List<double> PlainPublish { get; } = [];
    public List<double> GeneratingPublish { get; } = [];
    /// <summary>The project with MultiStage.Sdk referenced but generation switched off: what referencing the SDK package costs.</summary>
    public List<double> IdleSdkPublish { get; } = [];
    public string IdleSdkCommand { get; set; } = "";
    public List<double> GenerateOnly { get; } = [];
    /// <summary>Files (relative to the context root) that a no-change run wrote, per run.</summary>
    public List<List<string>> Written { get; } = [];
    public string? DockerfileTimeBefore { get; set; }
    public string? DockerfileTimeAfter { get; set; }
    public string PlainCommand { get; set; } = "";
    public string GeneratingCommand { get; set; } = "";
    public string GenerateOnlyCommand { get; set; } = "";
    public string? Error { get; set; }
    /// <summary>MSBuild's performance summary of one extra run: MultiStage targets and tasks, milliseconds.</summary>
    public List<(string Name, int Milliseconds)> Breakdown { get; } = [];
}

/// <summary>Everything one run measured, part by part.</summary>
internal sealed class RunResults
{
    public List<AssetResult> Rebuild { get; } = [];
    public GenerationResult? Generation { get; set; }
    public List<AssetResult> Fresh { get; } = [];
    public SolutionResult? Solution { get; set; }
}

/// <summary>The solution benchmark: testassets/repo's solution generated against built plainly, both with nothing changed.</summary>
internal sealed class SolutionResult
{
    public List<double> PlainBuild { get; } = [];
    public List<double> Generation { get; } = [];
    public string PlainCommand { get; set; } = "";
    public string GenerationCommand { get; set; } = "";
    public string? Error { get; set; }
}

internal sealed class PinnedImage
{
    public required string Original { get; init; }
    public required string Pinned { get; init; }
    public required string Id { get; init; }
    public string? IdAtEnd { get; set; }
}

internal sealed class RunInfo
{
    public string StartedUtc { get; set; } = "";
    public string FinishedUtc { get; set; } = "";
    public string Machine { get; set; } = "";
    public string DockerVersion { get; set; } = "";
    public string DotnetVersion { get; set; } = "";
    public string LoadStart { get; set; } = "";
    public string LoadEnd { get; set; } = "";
    public string Commit { get; set; } = "";
    public string TreeState { get; set; } = "";
    public string SdkVersion { get; set; } = "";
    public double TotalMinutes { get; set; }
    public bool Stopped { get; set; }
    public List<PinnedImage> Pinned { get; } = [];
    public List<string> Notes { get; } = [];
}

internal static class Stats
{
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
