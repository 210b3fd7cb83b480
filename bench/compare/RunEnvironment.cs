using System.Globalization;

namespace MultiStage.Bench;

/// <summary>Before the first build: the engine and registry answer, what machine and source this is, the SDK packed.</summary>
internal static class RunEnvironment
{
    public static void Preflight(BenchRun run)
    {
        if (!File.Exists(Docker.Cli))
        {
            throw new BenchException($"{Docker.Cli} is missing: run eng/testenv/up.sh (bench/run.sh does) first");
        }

        if (!run.Docker.TryRun("version"))
        {
            throw new BenchException("the Docker engine does not answer: run eng/testenv/up.sh first");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            http.GetAsync($"http://{run.Options.Registry}/v2/").GetAwaiter().GetResult().EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new BenchException($"the registry on {run.Options.Registry} does not answer ({e.Message}): run eng/testenv/up.sh first");
        }
    }

    /// <summary>Machine, versions, load and source state, for the report's header.</summary>
    public static void Describe(BenchRun run)
    {
        var info = run.Info;
        info.Machine = MachineDescription(run);
        info.DockerVersion = run.Docker.Text("version", "--format", "server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}");
        info.DotnetVersion = Proc.Text("dotnet", run.MiscLog, "--version");
        info.LoadStart = File.ReadAllText("/proc/loadavg").Trim();
        (info.Commit, info.TreeState) = SourceState(run);
    }

    private static string MachineDescription(BenchRun run)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memKb = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var kernel = Proc.Text("uname", run.MiscLog, "-sr");
        return $"nproc {Environment.ProcessorCount} ({cpu}), {memKb / 1024.0 / 1024.0:0.0} GiB memory, {kernel}";
    }

    private static (string Commit, string State) SourceState(BenchRun run)
    {
        var commit = Proc.Text("git", run.MiscLog, "-C", run.Options.Repository, "rev-parse", "--short=12", "HEAD");
        var dirty = Proc.Text("git", run.MiscLog, "-C", run.Options.Repository, "status", "--porcelain", "--", "src", "sdk");
        return (commit, dirty.Length == 0 ? "src/ and sdk/ as committed" : "src/ or sdk/ with uncommitted changes: " + string.Join(", ", dirty.Split('\n').Select(l => l.Trim()).Take(8)));
    }

    /// <summary>Packs the working tree's SDK as info.SdkVersion into a feed that a NuGet.config above every copy adds.</summary>
    public static void PackSdk(BenchRun run)
    {
        BenchRun.Say($"packing MultiStage.Sdk {run.Info.SdkVersion} from the working tree");
        var feed = Path.Combine(run.Work, "feed");
        var r = Proc.Run("dotnet", ["pack", Path.Combine(run.Options.Repository, "sdk", "MultiStage.Sdk.csproj"), "-c", "Release", "-o", feed, $"-p:Version={run.Info.SdkVersion}", "-nologo"], run.Options.Repository, Path.Combine(run.Logs, "pack.log"));
        if (!r.Ok)
        {
            throw new BenchException($"dotnet pack of the SDK failed; log: {r.LogPath}\n{r.Tail()}");
        }

        // Above every copy: adds the feed to the user's sources, as a repository's NuGet.config would.
        File.WriteAllText(Path.Combine(run.Work, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="multistage-bench" value="{feed}" />
              </packageSources>
            </configuration>

            """);
    }
}
