namespace MultiStage.Bench;

/// <summary>
/// The default rounds of one asset: cold builds, an image check, then warm rebuilds after a one-line edit. The variants
/// take turns, so a change of load on the (shared) machine hits all of them alike. See docs/benchmarks.md.
/// </summary>
internal sealed class RebuildRounds(BenchRun run, Builds builds, BenchContext context)
{
    /// <summary>Every asset of --assets with every variant of --variants, one asset after the other.</summary>
    public void MeasureAll(List<AssetResult> results)
    {
        var primed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var asset in run.Options.Assets)
        {
            var result = new AssetResult(asset);
            results.Add(result);
            var variants = run.Options.Variants.Select(key => (Variant)(key switch
            {
                "a" => new MultiStageVariant(context, asset),
                "b" => new SampleDockerfileVariant(context, asset),
                "i" => new InnerLoopVariant(context, asset),
                "h" => new HeadlineVariant(context, asset),
                "d" => new GeneratedDockerfileVariant(context, asset),
                _ => new PublishContainerVariant(context, asset),
            }));
            Measure(result, Builds.Prepare(result, variants, variant =>
            {
                if (variant is PublishContainerVariant c && primed.Add(c.BaseImage))
                {
                    PrimeContentStore(c.BaseImage);
                }
            }));
            builds.RemoveImages();
            Workspace.DeleteQuietly(Path.Combine(context.Work, "nuget"));
        }
    }

    private void Measure(AssetResult result, List<Variant> variants)
    {
        var current = new Dictionary<string, ImageInfo>(StringComparer.Ordinal);
        var alive = variants.ToList();
        for (var i = 1; i <= run.Options.ColdRuns; i++)
        {
            // One prune per round: the variants share no build step, so each one still finds nothing it can reuse.
            // (a) goes first: a step it shared with (b) could only help (b).
            if (run.Options.Prune && alive.Any(v => v is not PublishContainerVariant) && !run.Docker.TryRun("builder", "prune", "-af"))
            {
                throw new BenchException("docker builder prune -af failed (see " + run.Docker.LogPath + ")");
            }

            foreach (var variant in alive.ToList())
            {
                var vr = result[variant.Key]!;
                if (!Builds.Guard(vr, variant, () =>
                {
                    variant.MakeCold();
                    var sample = new Sample { Kind = "cold", Run = i };
                    vr.Cold.Add(sample);
                    current[variant.Key] = builds.BuildOnce(variant, sample, $"{result.Asset.Name} ({variant.Key}) cold {i}/{run.Options.ColdRuns}");
                    if (variant is SampleDockerfileVariant && SampleDockerfileVariant.CachedSteps(File.ReadAllText(sample.Log)) is { Count: > 0 } cached)
                    {
                        run.Info.Notes.Add($"{result.Asset.Name} (b) cold {i}: BuildKit took {string.Join(", ", cached.Select(c => "`" + c + "`"))} from the cache (left there by an identical step of an earlier variant in this round).");
                    }
                }))
                {
                    alive.Remove(variant);
                }
            }
        }

        foreach (var variant in alive)
        {
            var vr = result[variant.Key]!;
            vr.RuntimeBase = variant.RuntimeBase();
            var (runs, output) = run.Docker.Check(current[variant.Key].Id, variant.Asset, $"msbench-check-{run.Stamp}");
            vr.Runs = runs;
            vr.RunOutput = output;
            BenchRun.Say($"{result.Asset.Name} ({variant.Key}) image runs: {(runs ? "ok" : "NO")}: {output}");
        }

        for (var i = 1; i <= run.Options.WarmRuns; i++)
        {
            foreach (var variant in alive.ToList())
            {
                var vr = result[variant.Key]!;
                if (!Builds.Guard(vr, variant, () =>
                {
                    Workspace.EditSource(variant.SourceFile, $"{variant.Key}{i}");
                    var sample = new Sample { Kind = "warm", Run = i };
                    vr.Warm.Add(sample);
                    current[variant.Key] = builds.BuildOnce(variant, sample, $"{result.Asset.Name} ({variant.Key}) warm {i}/{run.Options.WarmRuns}", current[variant.Key]);
                }))
                {
                    alive.Remove(variant);
                }
            }
        }

        foreach (var variant in alive)
        {
            var vr = result[variant.Key]!;
            Builds.Guard(vr, variant, () =>
            {
                var image = current[variant.Key];
                vr.FinalSize = image.Size;
                if (variant.Asset.Name != "aot")
                {
                    return;
                }

                // The native executable is what the entry point runs.
                var entry = image.Entrypoint.FirstOrDefault() ?? throw new BenchException("the AOT image has no entry point");
                var path = entry.StartsWith('/') ? entry : Path.Combine(image.WorkingDir.Length > 0 ? image.WorkingDir : "/", entry);
                vr.AotBinaryPath = path;
                vr.AotBinarySize = run.Docker.FileSize(image.Id, path, $"msbench-probe-{run.Stamp}");
                if (variant.Key == "a" && vr.RuntimeBase is { } runtimeBase)
                {
                    result.AotBaseImage = runtimeBase;
                    result.AotBaseSize = run.Docker.Inspect(runtimeBase.Replace(run.Options.Registry + "/dotnet/", run.BasePrefix + "/dotnet/", StringComparison.Ordinal))?.Size;
                }
            });
        }
    }

    /// <summary>Fills PublishContainer's content store with the base image's layers, as the engine already holds them for (a) and (b).</summary>
    private void PrimeContentStore(string baseImage)
    {
        var dir = Path.Combine(run.Work, "prime", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Prime.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), "System.Console.WriteLine(\"prime\");\n");
        var r = Proc.Run(
            "dotnet",
            ["publish", "-t:PublishContainer", "--os", "linux", "--arch", "x64", "-nologo", $"-p:ContainerBaseImage={baseImage}", $"-p:ContainerArchiveOutputPath={Path.Combine(dir, "image.tar.gz")}"],
            dir,
            Path.Combine(run.Logs, "prime.log"),
            new Dictionary<string, string?>
            {
                ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = run.Options.Registry,
                ["TMPDIR"] = context.ContainersTemp,
                ["NUGET_PACKAGES"] = Path.Combine(run.Work, "nuget", "prime", "packages"),
            });
        Workspace.DeleteQuietly(dir);
        if (!r.Ok)
        {
            throw new BenchException($"PublishContainer could not pull {baseImage}; log: {r.LogPath}\n{r.Tail()}");
        }
    }
}
