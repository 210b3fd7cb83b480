namespace MultiStage.Bench;

/// <summary>What every part of one run shares: the options, the scratch folder and its logs, the docker client, the run's facts.</summary>
internal sealed class BenchRun(Options options, string work, string stamp)
{
    public Options Options { get; } = options;

    public string Work { get; } = work;

    /// <summary>The run's start time, in image tags and the packed SDK's version.</summary>
    public string Stamp { get; } = stamp;

    public string Logs => Path.Combine(Work, "logs");

    public string MiscLog => Path.Combine(Logs, "misc.log");

    public Docker Docker { get; } = new(Path.Combine(work, "logs", "docker.log"));

    public RunInfo Info { get; } = new();

    /// <summary>Where the base images come from: the registry itself, or the run's snapshot of it (BaseImages.Pin).</summary>
    public string BasePrefix { get; set; } = options.Registry;

    public static void Say(string text) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {text}");
}
