using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiStage.Bench;

/// <summary>
/// Generation only, on multiproject: a plain publish against one that generates and one with generation off, then
/// no-change reruns that must write nothing (docs/benchmarks.md, "Generation only").
/// </summary>
internal static class GenerationBenchmark
{
    public static GenerationResult Measure(BenchRun run)
    {
        var g = new GenerationResult();
        var asset = Asset.All.Single(a => a.Name == "multiproject");
        var withSdk = Path.Combine(run.Work, "gen", "sdk", asset.Name);
        var plain = Path.Combine(run.Work, "gen", "plain", asset.Name);
        try
        {
            Workspace.Copy(Path.Combine(run.Options.Repository, "testassets", asset.Name), withSdk);
            Workspace.PinSdkVersion(withSdk, run.Info.SdkVersion);
            Workspace.Copy(Path.Combine(run.Options.Repository, "testassets", asset.Name), plain);
            Workspace.RemoveMultiStageSdk(plain);
            var env = new Dictionary<string, string?>
            {
                ["NUGET_PACKAGES"] = Path.Combine(run.Work, "nuget", "gen", "packages"),
                ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(run.Work, "nuget", "gen", "http-cache"),
            };
            string[] plainArgs = ["publish", "-nologo"];
            string[] generatingArgs = ["publish", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={run.BasePrefix}"];
            string[] generateOnlyArgs = ["build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={run.BasePrefix}"];
            string[] idleArgs = ["publish", "-nologo", "-p:MultiStageGenerateOnPublish=false"];
            string Shown(string[] a) => "dotnet " + string.Join(' ', a).Replace(run.BasePrefix, run.Options.Registry, StringComparison.Ordinal);
            g.PlainCommand = Shown(plainArgs) + " (copy without MultiStage.Sdk)";
            g.GeneratingCommand = Shown(generatingArgs);
            g.GenerateOnlyCommand = Shown(generateOnlyArgs);
            g.IdleSdkCommand = Shown(idleArgs);

            double Time(string dir, string[] a, string log)
            {
                var r = Proc.Run("dotnet", a, Path.Combine(dir, asset.ProjectDirectory), Path.Combine(run.Logs, log), env);
                return r.Ok ? r.Elapsed.TotalSeconds : throw new BenchException($"{string.Join(' ', a)} failed; log: {r.LogPath}\n{r.Tail()}");
            }

            // Warm-up: restore, first build and the first generation happen here, untimed.
            Time(plain, plainArgs, "gen-plain-warmup.log");
            Time(withSdk, generatingArgs, "gen-sdk-warmup.log");
            var dockerfile = Path.Combine(withSdk, "Dockerfile");
            g.DockerfileTimeBefore = File.GetLastWriteTimeUtc(dockerfile).ToString("O", CultureInfo.InvariantCulture);
            for (var i = 1; i <= run.Options.GenerationRuns; i++)
            {
                // Interleaved, and in mirrored order every other round (plain, generating, idle; then idle, generating,
                // plain): a drift of the machine's speed over the run then hits all three alike, where a fixed order
                // would always run the generating publish a little later than the plain one.
                void Plain() => g.PlainPublish.Add(Time(plain, plainArgs, $"gen-plain-{i}.log"));
                void Idle() => g.IdleSdkPublish.Add(Time(withSdk, idleArgs, $"gen-idle-{i}.log"));
                var (first, last) = i % 2 == 1 ? ((Action)Plain, (Action)Idle) : (Idle, Plain);
                first();
                var before = Workspace.Snapshot(withSdk);
                g.GeneratingPublish.Add(Time(withSdk, generatingArgs, $"gen-sdk-{i}.log"));
                g.Written.Add(Workspace.Differences(before, Workspace.Snapshot(withSdk)));
                last();
                BenchRun.Say($"generation {i}/{run.Options.GenerationRuns}: plain publish {g.PlainPublish[^1]:0.00} s, publish -t:ContainerizeMultiStage {g.GeneratingPublish[^1]:0.00} s, files written {g.Written[^1].Count}, publish with generation off {g.IdleSdkPublish[^1]:0.00} s");
            }

            for (var i = 1; i <= run.Options.GenerationRuns; i++)
            {
                var before = Workspace.Snapshot(withSdk);
                g.GenerateOnly.Add(Time(withSdk, generateOnlyArgs, $"gen-only-{i}.log"));
                g.Written.Add(Workspace.Differences(before, Workspace.Snapshot(withSdk)));
                BenchRun.Say($"no-change rerun {i}/{run.Options.GenerationRuns}: build -t:ContainerizeMultiStage {g.GenerateOnly[^1]:0.00} s, files written {g.Written[^1].Count}");
            }

            g.DockerfileTimeAfter = File.GetLastWriteTimeUtc(dockerfile).ToString("O", CultureInfo.InvariantCulture);

            // One more run, untimed, with MSBuild's performance summary: where the added time goes.
            var summary = Proc.Run("dotnet", [.. generatingArgs, "-clp:PerformanceSummary"], Path.Combine(withSdk, asset.ProjectDirectory), Path.Combine(run.Logs, "gen-summary.log"), env);
            foreach (var line in summary.Output.Split('\n'))
            {
                var m = Regex.Match(line, @"^\s+(\d+) ms\s+(\S+)\s+(\d+) calls");
                if (m.Success && (m.Groups[2].Value.Contains("MultiStage", StringComparison.Ordinal) || m.Groups[2].Value is "GenerateDockerfile" or "ResolveEngineBuilder")
                    && g.Breakdown.All(b => b.Name != m.Groups[2].Value))
                {
                    g.Breakdown.Add((m.Groups[2].Value, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
                }
            }
        }
        catch (BenchException e)
        {
            g.Error = e.Message;
            BenchRun.Say("generation measurements failed: " + e.Message.Split('\n')[0]);
        }

        return g;
    }
}
