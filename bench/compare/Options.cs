using System.Globalization;

namespace MultiStage.Bench;

internal sealed class Options
{
    public IReadOnlyList<Asset> Assets { get; private set; } = Asset.All;
    public IReadOnlyList<string> Variants { get; private set; } = ["a", "b", "c", "i"];
    public int WarmRuns { get; private set; } = 7;
    public int ColdRuns { get; private set; } = 1;
    public int GenerationRuns { get; private set; } = 30;
    public bool Generation { get; private set; } = true;
    public string Registry { get; private set; } = "127.0.0.1:5000";
    public bool Pin { get; private set; } = true;
    public bool Keep { get; private set; }
    public bool Prune { get; private set; } = true;
    /// <summary>What the run measures, in this order; the default is every part, so one run judges every target.</summary>
    public IReadOnlyList<string> Parts { get; private set; } = AllParts;
    /// <summary>Fresh-runner rounds per asset (FreshRunner.cs).</summary>
    public int FreshRuns { get; private set; } = 3;
    /// <summary>Rounds of the solution benchmark (SolutionBenchmark.cs).</summary>
    public int SolutionRuns { get; private set; } = 10;

    /// <summary>rebuild: cold builds, warm rebuilds and generation only (RebuildRounds.cs, GenerationBenchmark.cs).</summary>
    public static readonly IReadOnlyList<string> AllParts = ["rebuild", "fresh", "solution"];

    public bool Runs(string part) => Parts.Contains(part);

    /// <summary>The assets of the fresh-runner part: those the repository targets name.</summary>
    public IEnumerable<Asset> FreshRunnerAssets => Assets.Where(a => FreshRunnerAssetNames.Contains(a.Name));

    public static readonly IReadOnlyList<string> FreshRunnerAssetNames = ["console", "webapi", "multiproject"];
    public string Repository { get; private set; } = "";
    public string Output { get; private set; } = "";
    public string Work { get; private set; } = "";
    public string Command { get; private set; } = "";

    public const string Usage = """
        bash bench/run.sh [options]
          Every part by default (docs/benchmarks.md, about an hour on a quiet 2-core machine): one run judges every target.
          --parts LIST        subset of rebuild,fresh,solution (default all):
                              rebuild: cold builds and warm rebuilds of --variants per asset, generation only on multiproject;
                              fresh: the fresh-runner rounds on console,webapi,multiproject (empty build cache, previous image
                              and its inline cache in the registry, one-line edit): (a) with MultiStageCacheFrom, (a0) without,
                              (b) sample cold, (b') sample with --cache-from;
                              solution: testassets/repo's solution generation, nothing changed, against a plain build of it
          --assets LIST       comma-separated: console,webapi,worker,multiproject,aot,selfcontained,icu,razor (default: all;
                              the fresh part takes console,webapi,multiproject among them)
          --runs N            warm rebuilds per asset and variant; medians are reported (default 7; this machine is noisy)
          --cold-runs N       cold builds per asset and variant (default 1)
          --gen-runs N        runs of the generation-only measurements on multiproject (default 30)
          --variants LIST     subset of a,b,c,i,h,d (default a,b,c,i); targets needing a missing variant report FAIL.
                              h: the headline command (dotnet publish -t:ContainerizeMultiStage -p:MultiStageBuildImage=true);
                              d: docker build of the Dockerfile h generates, the yardstick of h
          --fresh-runs N      fresh-runner rounds per asset (default 3)
          --solution-runs N   rounds of the solution benchmark (default 10)
          --fresh-runner      the fresh part alone (--parts fresh), --runs rounds of it; writes docs/benchmarks-fresh.md
          --no-prune          first builds without `docker builder prune -af` (an engine others share: their cache stays);
                              not with the fresh part, which prunes before every build
          --no-generation     skip the generation-only measurements
          --no-pin            use 127.0.0.1:5000/dotnet/* directly instead of a snapshot of them taken at the start
          --output FILE       markdown report (default docs/benchmarks.md)
          --work DIR          scratch folder (default /tmp/multistage-bench/<time>)
          --keep              keep the scratch folder and the images built
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        var runsGiven = false;
        var freshRunsGiven = false;
        var freshRunner = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchException($"{args[i]} needs a value\n{Usage}");
            int Count()
            {
                var name = args[i];
                return int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new BenchException($"{name} needs a positive number");
            }

            switch (args[i])
            {
                case "--assets":
                    var names = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var unknown = names.Where(n => Asset.All.All(a => a.Name != n)).ToList();
                    if (unknown.Count > 0)
                    {
                        throw new BenchException($"unknown asset(s): {string.Join(", ", unknown)}\n{Usage}");
                    }

                    o.Assets = Asset.All.Where(a => names.Contains(a.Name)).ToList();
                    break;
                case "--variants":
                    var variants = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (variants.Length == 0 || variants.Any(v => v is not ("a" or "b" or "c" or "i" or "h" or "d")))
                    {
                        throw new BenchException("--variants takes a subset of a,b,c,i,h,d");
                    }

                    o.Variants = new[] { "a", "b", "c", "i", "h", "d" }.Where(variants.Contains).ToList();
                    break;
                case "--runs": o.WarmRuns = Count(); runsGiven = true; break;
                case "--cold-runs": o.ColdRuns = Count(); break;
                case "--gen-runs": o.GenerationRuns = Count(); break;
                case "--no-generation": o.Generation = false; break;
                case "--no-pin": o.Pin = false; break;
                case "--keep": o.Keep = true; break;
                case "--no-prune": o.Prune = false; break;
                case "--parts":
                    var parts = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (parts.Length == 0 || parts.Any(p => !AllParts.Contains(p)))
                    {
                        throw new BenchException($"--parts takes a subset of {string.Join(',', AllParts)}");
                    }

                    o.Parts = AllParts.Where(parts.Contains).ToList();
                    break;
                case "--fresh-runs": o.FreshRuns = Count(); freshRunsGiven = true; break;
                case "--solution-runs": o.SolutionRuns = Count(); break;
                case "--fresh-runner": freshRunner = true; break;
                case "--output": o.Output = Path.GetFullPath(Value()); break;
                case "--work": o.Work = Path.GetFullPath(Value()); break;
                case "--repo": o.Repository = Path.GetFullPath(Value()); break;
                case "--command": o.Command = Value(); break;
                case "-h" or "--help": throw new BenchException(Usage);
                default: throw new BenchException($"unknown option {args[i]}\n{Usage}");
            }
        }

        if (o.Repository.Length == 0)
        {
            for (var dir = Environment.CurrentDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "MultiStage.Sdk.sln")))
                {
                    o.Repository = dir;
                    break;
                }
            }

            if (o.Repository.Length == 0)
            {
                throw new BenchException("run from the repository (MultiStage.Sdk.sln not found above the current folder) or pass --repo");
            }
        }

        if (freshRunner)
        {
            o.Parts = ["fresh"];
            o.FreshRuns = runsGiven && !freshRunsGiven ? o.WarmRuns : o.FreshRuns;
        }

        if (o.Runs("fresh") && !o.Prune)
        {
            throw new BenchException("the fresh part prunes the build cache before every build: it cannot go with --no-prune (leave it out with --parts)");
        }

        if (o.Output.Length == 0)
        {
            o.Output = Path.Combine(o.Repository, "docs", freshRunner ? "benchmarks-fresh.md" : "benchmarks.md");
        }

        if (o.Command.Length == 0)
        {
            o.Command = "bench/run.sh " + string.Join(' ', args.Select(Proc.Quote));
        }

        return o;
    }
}
