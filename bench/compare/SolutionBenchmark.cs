namespace MultiStage.Bench;

/// <summary>
/// A whole repository (docs/benchmarks-repository.md): testassets/repo (2 applications, 3 libraries, 1 test project, a
/// .slnx), its solution generated with nothing changed against a plain build of a copy without MultiStage.Sdk. Both
/// warmed up untimed, then timed in turns, in mirrored order every other round, so a drift of the load hits both alike.
/// </summary>
internal static class SolutionBenchmark
{
    public const double Limit = 1.2;

    public static SolutionResult Measure(BenchRun run)
    {
        var s = new SolutionResult();
        var source = Path.Combine(run.Options.Repository, "testassets", "repo");
        var withSdk = Path.Combine(run.Work, "solution", "sdk");
        var plain = Path.Combine(run.Work, "solution", "plain");
        string[] plainArgs = ["build", "Orders.slnx", "-nologo", "-nodeReuse:false"];
        string[] generationArgs = ["build", "Orders.slnx", "-t:ContainerizeMultiStage", "-nologo", "-nodeReuse:false", $"-p:MultiStageBaseImageRegistry={run.BasePrefix}"];
        s.PlainCommand = "dotnet " + string.Join(' ', plainArgs) + " (copy without MultiStage.Sdk)";
        s.GenerationCommand = ("dotnet " + string.Join(' ', generationArgs)).Replace(run.BasePrefix, run.Options.Registry, StringComparison.Ordinal);
        try
        {
            Workspace.Copy(source, withSdk);
            Workspace.Copy(source, plain);
            // The asset imports MultiStage.Sdk from Directory.Build.targets without a version; its tests pin one in
            // global.json, and so does this. The plain copy gets the same file: reading one costs every dotnet command
            // about 0.2 s here (Workspace.PinSdkVersion), and nothing in that copy resolves MultiStage.Sdk.
            var globalJson = $$"""
                {
                  "msbuild-sdks": {
                    "MultiStage.Sdk": "{{run.Info.SdkVersion}}"
                  }
                }

                """;
            File.WriteAllText(Path.Combine(withSdk, "global.json"), globalJson);
            File.WriteAllText(Path.Combine(plain, "global.json"), globalJson);
            File.WriteAllText(Path.Combine(plain, "Directory.Build.targets"), "<Project />\n");
            File.Delete(Path.Combine(plain, "Directory.Solution.targets"));
            var env = new Dictionary<string, string?>
            {
                ["NUGET_PACKAGES"] = Path.Combine(run.Work, "nuget", "solution", "packages"),
                ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(run.Work, "nuget", "solution", "http-cache"),
                ["MSBUILDDISABLENODEREUSE"] = "1",
            };

            double Time(string dir, string[] args, string log)
            {
                var r = Proc.Run("dotnet", args, dir, Path.Combine(run.Logs, log), env);
                return r.Ok ? r.Elapsed.TotalSeconds : throw new BenchException($"dotnet {string.Join(' ', args)} failed; log: {r.LogPath}\n{r.Tail()}");
            }

            // Warm-up: restore, the first build and the first generation happen here, untimed.
            Time(plain, plainArgs, "solution-plain-warmup.log");
            Time(withSdk, generationArgs, "solution-sdk-warmup.log");
            for (var i = 1; i <= run.Options.SolutionRuns; i++)
            {
                void Plain() => s.PlainBuild.Add(Time(plain, plainArgs, $"solution-plain-{i}.log"));
                void Generate() => s.Generation.Add(Time(withSdk, generationArgs, $"solution-sdk-{i}.log"));
                var (first, second) = i % 2 == 1 ? ((Action)Plain, (Action)Generate) : (Generate, Plain);
                first();
                second();
                BenchRun.Say($"solution {i}/{run.Options.SolutionRuns}: plain build {s.PlainBuild[^1]:0.00} s, solution generation {s.Generation[^1]:0.00} s");
            }
        }
        catch (BenchException e)
        {
            s.Error = e.Message;
            BenchRun.Say("solution benchmark failed: " + e.Message.Split('\n')[0]);
        }

        return s;
    }
}
