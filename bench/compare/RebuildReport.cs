using System.Globalization;
using System.Text;

namespace MultiStage.Bench;

/// <summary>The rebuild part's sections of the report: what is compared, cold and warm results, headline, generation only, images.</summary>
internal static class RebuildReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string Seconds(double? s) => Report.Seconds(s);

    private static string Ratio(double? a, double? b) => Report.Ratio(a, b);

    private static string Size(double? b) => b is { } v ? Report.Bytes(v) : "–";

    public static string Section(Options options, RunInfo info, IReadOnlyList<AssetResult> results, GenerationResult? generation, List<(string Name, string Measured, bool Pass)> targets)
    {
        var md = new StringBuilder();
        md.AppendLine("## What is compared");
        md.AppendLine();
        md.AppendLine($"- **(a) MultiStage.Sdk**: the project as is, with the version on its `<Sdk Name=\"MultiStage.Sdk\" Version=\"…\" />` element as the README shows (no global.json: having one costs every `dotnet` command about 0.2 s here, which the copies without MultiStage.Sdk would not pay), `dotnet build -t:ContainerizeMultiStage -p:MultiStageBuildImage=true -p:MultiStageBuildNetwork=host -p:MultiStageBaseImageRegistry={options.Registry} …`: the generated Dockerfile, built through the SDK's engine client.");
        md.AppendLine("- **(b) sample Dockerfile**: the pattern of the official .NET samples, hand-written per asset in `bench/compare/dockerfiles/` (project files first, `dotnet restore -a $TARGETARCH`, sources, `dotnet publish --no-restore -o /app`, chiseled runtime, `USER $APP_UID`), with the samples' `.dockerignore`, built by `DOCKER_BUILDKIT=1 docker build --network host` on a copy of the asset without the MultiStage.Sdk line. multiproject uses the `-extra` chiseled image: its Humanizer dependency creates en-US culture objects, which the globalization-invariant plain chiseled image rejects at start-up.");
        md.AppendLine("- **(i) MultiStage.Sdk inner loop**: `dotnet publish -t:ContainerizeMultiStage --os linux --arch x64 -p:MultiStageBuildImage=true -p:MultiStageInnerLoop=true …`: the image assembled from the host's own incremental publish output (same layers), through the same engine client; the runtime and package layers go into a dependencies image built when they change (each cold run starts without it), so a rebuild sends only the app's layers. Compared with (c), which also publishes on the host. For aot it compiles native code on the host, as (c) does (bench/run.sh installs clang for both).");
        md.AppendLine("- **same base images**: every variant of an asset builds on the runtime image of (b)'s sample Dockerfile: (a), (i) and (c) get it as `ContainerBaseImage` (a name both SDKs honour). Left to infer, both would follow the rules of Microsoft.NET.Build.Containers: a Debian image for a framework-dependent app, and the `-extra` chiseled variant when the family is chiseled but the app is not globalization-invariant; the samples use plain chiseled, whose environment switches the app to invariant globalization. So the size comparison measures what each variant adds on top of one base.");
        md.AppendLine("- **(c) PublishContainer**: `dotnet publish -t:PublishContainer --os linux --arch x64` of the installed .NET SDK on that same copy, with `ContainerBaseImage` set to (b)'s runtime image, taken from the local registry (`DOTNET_CONTAINER_INSECURE_REGISTRIES`), loaded into the engine.");
        md.AppendLine();
        md.AppendLine("How each number is taken:");
        md.AppendLine();
        md.AppendLine("- **cold build**: wall time of the command with an empty build cache: each cold round starts with `docker builder prune -af` (base images kept), then (a), (b) and (c) build in turn. They share no build step, so none finds a cache entry it can use ((a) goes first; a (b) step taken from the cache would be listed under Notes). The commands that work on the host ((a) generates there, (c) builds there) start without `bin/`/`obj/` and with empty NuGet package and HTTP caches. (c)'s content store already holds the base image layers, as the engine does for (a) and (b).");
        md.AppendLine("- **warm rebuild**: wall time of the same command after appending one comment line to the app's `Program.cs` (multiproject: `src/App/Program.cs`), with everything from the previous build in place. The variants take turns (a, b, c, a, b, c, …), so a change of load on the machine hits all three alike. For (a) two figures: the engine client's build of the generated Dockerfile (the time it reports from sending the context to the tagged image; the warm-rebuild target is judged on this one, against (b)'s and (c)'s whole commands), and the whole `dotnet build` command, which adds MSBuild start-up, restore and generation on the host (the generation target below budgets that part).");
        md.AppendLine("- **changed-layer bytes**: after that edit, the uncompressed size (from `docker save`) of the layers whose diff ID the previous image did not have: what a push has to upload (before compression).");
        md.AppendLine("- **final image size**: `docker image inspect` Size of the last image built.");
        md.AppendLine("- **context sent**: (a) the body of the engine API `POST /build` request, counted by a pass-through socket in front of the engine; (b) BuildKit's `transferring context` figure for `load build context` (the CLI's file sync only sends changed files on a rebuild); (c) sends no context.");
        if (info.Pinned.Count > 0)
        {
            md.AppendLine($"- **base images**: all three variants use one snapshot of the `{options.Registry}/dotnet/*` images, taken at the start under the test environment's lock and re-tagged for the run, so a rebuild of the test environment during the run cannot change them (IDs at the end).");
        }

        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.AppendLine("| Asset | Measure | (a) MultiStage.Sdk | (b) sample Dockerfile | (c) PublishContainer | (a)/(b) | (a)/(c) | Target | Result |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var r in results.Where(r => r["a"] is not null || r["b"] is not null || r["c"] is not null || r["i"] is not null))
        {
            var a = r["a"];
            var b = r["b"];
            var c = r["c"];
            string Cell(VariantResult? v, Func<VariantResult, string> value, bool notApplicable = false) =>
                notApplicable ? "n/a"
                : v is null ? "not run"
                : v.Error is not null && v.Cold.All(s => !s.Ok) ? "failed"
                : value(v) + (v.Complete(options.ColdRuns, options.WarmRuns) ? "" : " ⚠");

            void Row(string measure, Func<VariantResult, double?> get, Func<double?, string> format, string target = "", bool? pass = null, string note = "", bool cNotApplicable = false)
            {
                var result = pass is null ? "" : pass.Value ? "PASS" : "FAIL";
                md.AppendLine($"| {r.Asset.Name} | {measure} | {Cell(a, v => format(get(v)))} | {Cell(b, v => format(get(v)))} | {Cell(c, v => format(get(v)), cNotApplicable)} | {Ratio(Get(a, get), Get(b, get))} | {(cNotApplicable ? "n/a" : Ratio(Get(a, get), Get(c, get)))} | {target} | {result}{note} |");
            }

            Row("cold build", v => v.ColdSeconds, Seconds);

            // The target is judged on the build of the generated Dockerfile through the engine client (from the
            // context upload to the tagged image), against (b)'s whole docker build command; the host's part of (a)
            // (MSBuild start-up, restore, generation) is shown beside it and budgeted by the generation target.
            var warmA = a?.WarmEngineSeconds;
            var warmB = b?.WarmSeconds;
            var warmPass = warmA is not null && warmB is not null && warmA <= r.Asset.WarmLimit * warmB;
            var warmTarget = string.Create(Inv, $"(a) ≤ {r.Asset.WarmLimit:0.0#}×(b)");
            md.AppendLine($"| {r.Asset.Name} | warm rebuild, median of {options.WarmRuns}: (a) the engine client's build of the generated Dockerfile; (b), (c) the whole command | {Cell(a, v => Seconds(v.WarmEngineSeconds))} | {Cell(b, v => Seconds(v.WarmSeconds))} | {Cell(c, v => Seconds(v.WarmSeconds))} | {Ratio(warmA, warmB)} | {Ratio(warmA, c?.WarmSeconds)} | {warmTarget} | {(warmPass ? "PASS" : "FAIL")} |");
            Row($"warm rebuild, whole command, median of {options.WarmRuns} ((a): `dotnet build` on the host with restore and generation, then the engine build)", v => v.WarmSeconds, Seconds);
            if (r["i"] is { } inner)
            {
                var innerWarm = inner.WarmSeconds;
                var innerPass = innerWarm is not null && c?.WarmSeconds is not null && innerWarm <= c.WarmSeconds;
                md.AppendLine($"| {r.Asset.Name} | inner loop (i), warm rebuild, whole command, median of {options.WarmRuns} | {Cell(inner, v => Seconds(v.WarmSeconds))} | | {Cell(c, v => Seconds(v.WarmSeconds))} | | {Ratio(innerWarm, c?.WarmSeconds)} | (i) ≤ 1.0×(c) | {(innerPass ? "PASS" : "FAIL")} |");
                md.AppendLine($"| {r.Asset.Name} | inner loop (i), changed-layer bytes after the edit | {Cell(inner, v => Size(v.ChangedBytes))} | | {Cell(c, v => Size(v.ChangedBytes))} | | {Ratio(inner.ChangedBytes, c?.ChangedBytes)} | | |");
                targets.Add(($"{r.Asset.Name}: inner-loop warm rebuild (i) ≤ 1.0×(c)", $"{Seconds(innerWarm)} vs {Seconds(c?.WarmSeconds)}", innerPass));
            }

            targets.Add(($"{r.Asset.Name}: warm rebuild {warmTarget} (engine build of (a))", $"{Seconds(warmA)} vs {Seconds(warmB)} (whole command of (a): {Seconds(a?.WarmSeconds)})", warmPass));

            if (r.Asset.HasNuGetDependency)
            {
                var ca = a?.ChangedBytes;
                var floor = new[] { b?.ChangedBytes, c?.ChangedBytes };
                var pass = ca is not null && floor.All(x => x is not null) && ca <= 0.2 * floor.Min(x => x!.Value);
                Row("changed-layer bytes after the edit", v => v.ChangedBytes, Size, "(a) ≤ 0.2×min((b),(c))", pass);
                targets.Add(($"{r.Asset.Name}: changed-layer bytes (a) ≤ 0.2×min((b),(c))", $"{Size(ca)} vs min({Size(floor[0])}, {Size(floor[1])})", pass));
            }
            else if (r.Asset.Name == "razor")
            {
                // Static web assets have their own layer: a code edit must change only the app's assemblies.
                var ca = a?.ChangedBytes;
                var pass = ca is not null && ca <= 100_000;
                Row("changed-layer bytes after the edit", v => v.ChangedBytes, Size, "(a) ≤ 100 kB", pass);
                targets.Add(("razor: changed-layer bytes (a) ≤ 100 kB", Size(ca), pass));
            }
            else
            {
                Row("changed-layer bytes after the edit", v => v.ChangedBytes, Size);
            }

            var sizeA = a?.FinalSize;
            var sizeB = b?.FinalSize;
            var sizePass = sizeA is not null && sizeB is not null && sizeA <= sizeB;
            Row("final image size", v => v.FinalSize, Size, "(a) ≤ (b)", sizePass);
            var sizeText = sizeA is not null && sizeB is not null
                ? string.Create(Inv, $"{Size(sizeA)} vs {Size(sizeB)} ({sizeA - sizeB:+#,0;-#,0;0} bytes)")
                : $"{Size(sizeA)} vs {Size(sizeB)}";
            targets.Add(($"{r.Asset.Name}: final image size (a) ≤ (b)", sizeText, sizePass));

            if (r.Asset.Name == "aot")
            {
                double? expected = r.AotBaseSize is { } baseSize && a?.AotBinarySize is { } bin ? baseSize + bin : null;
                var aotPass = expected is not null && sizeA is not null && Math.Abs(sizeA.Value - expected.Value) <= 0.1 * expected.Value;
                var measured = expected is null ? "not measured" : $"{Size(sizeA)} vs {Size(r.AotBaseSize)} base + {Size(a!.AotBinarySize)} binary = {Size(expected)}";
                md.AppendLine($"| aot | (a) image vs. base image + AOT binary | {measured} | | | | | within 10 % | {(aotPass ? "PASS" : "FAIL")} |");
                targets.Add(("aot: (a) within 10 % of base image + AOT binary", measured, aotPass));
            }

            Row("context sent, cold", v => v.ColdContext, Size, cNotApplicable: true);
            Row($"context sent, warm (median)", v => v.WarmContext, Size, cNotApplicable: true);
        }

        if (results.Any(r => r["h"] is not null || r["d"] is not null))
        {
            // The headline command against the docker CLI building the very Dockerfile it generates: what the host
            // adds (MSBuild, restore, generation, the engine client) on top of the same engine work.
            md.AppendLine();
            md.AppendLine("## Headline command");
            md.AppendLine();
            md.AppendLine($"(h) `{results.Select(r => r["h"]?.Command).FirstOrDefault(c => c is not null) ?? "not run"}`; (d) `{results.Select(r => r["d"]?.Command).FirstOrDefault(c => c is not null) ?? "not run"}`. Warm rebuild after a one-line edit, whole command, median of {options.WarmRuns}, the two taking turns. (h)'s engine-build column is the time the engine client reports from sending the context to the tagged image; the rest of (h) is MSBuild start-up, restore and generation on the host. First build: {(options.Prune ? "after `docker builder prune -af`" : "without pruning the engine's build cache (`--no-prune`: the engine is shared), with empty NuGet folders and no bin/obj")}. The two share no layer: every edit appends a unique comment.");
            md.AppendLine();
            md.AppendLine("| Asset | (h) first build | (d) first build | (h) warm | (h) warm, engine build | (d) warm | (h)/(d) | Target | Result |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
            foreach (var r in results)
            {
                var h = r["h"];
                var d = r["d"];
                var pass = h?.WarmSeconds is not null && d?.WarmSeconds is not null && h.WarmSeconds <= 1.1 * d.WarmSeconds;
                md.AppendLine($"| {r.Asset.Name} | {Seconds(h?.ColdSeconds)} | {Seconds(d?.ColdSeconds)} | {Seconds(h?.WarmSeconds)} | {Seconds(h?.WarmEngineSeconds)} | {Seconds(d?.WarmSeconds)} | {Ratio(h?.WarmSeconds, d?.WarmSeconds)} | (h) ≤ 1.1×(d) | {(pass ? "PASS" : "FAIL")} |");
                targets.Add(($"{r.Asset.Name}: headline warm rebuild (h) ≤ 1.1×(d)", $"{Seconds(h?.WarmSeconds)} vs {Seconds(d?.WarmSeconds)}", pass));
            }
        }

        md.AppendLine();
        if (results.Any(r => r.Variants.Values.Any(v => !v.Complete(options.ColdRuns, options.WarmRuns))))
        {
            md.AppendLine("⚠: some planned runs of that variant failed; the value is over the runs that succeeded (see the notes).");
            md.AppendLine();
        }

        if (generation is not null)
        {
            md.AppendLine("## Generation only (multiproject)");
            md.AppendLine();
            var plain = Stats.Median(generation.PlainPublish);
            var with = Stats.Median(generation.GeneratingPublish);
            var only = Stats.Median(generation.GenerateOnly);
            double? added = plain is not null && with is not null ? (with - plain) / plain : null;
            var addPass = added is not null && added <= 0.05;
            var written = generation.Written.Where(w => w.Count > 0).SelectMany(w => w).Distinct().ToList();
            var quietPass = generation.Error is null && generation.Written.Count > 0 && written.Count == 0 && generation.DockerfileTimeBefore == generation.DockerfileTimeAfter;
            md.AppendLine("The three publishes take turns in each round, in mirrored order every other round (plain, generating, generation off; then generation off, generating, plain), so a drift of the machine's speed hits all three alike. The MultiStage.Sdk copy references the SDK as (a) does.");
            md.AppendLine();
            md.AppendLine("| Measure | Value | Target | Result |");
            md.AppendLine("| --- | ---: | --- | --- |");
            md.AppendLine($"| `{generation.PlainCommand}`, warm, median of {generation.PlainPublish.Count} | {Seconds(plain)} | | |");
            md.AppendLine($"| `{generation.GeneratingCommand}`, warm, nothing changed, median of {generation.GeneratingPublish.Count} | {Seconds(with)} | | |");
            var addedText = added is null ? "–" : string.Create(Inv, $"{with - plain:+0.00;-0.00} s ({added * 100:+0.0;-0.0} %)");
            md.AppendLine($"| added by generation | {addedText} | ≤ 5 % | {(addPass ? "PASS" : "FAIL")} |");
            // The same comparison round by round (each generating publish against the plain one next to it in time):
            // shown so a reader can see how far the difference of medians above is from it.
            var paired = Stats.Median(generation.GeneratingPublish.Zip(generation.PlainPublish, (w, p) => w - p));
            if (paired is not null && plain is not null)
            {
                md.AppendLine($"| the same, as the median of the per-round differences (generating minus plain publish of the same round) | {string.Create(Inv, $"{paired:+0.00;-0.00} s ({paired / plain * 100:+0.0;-0.0} %)")} | | |");
            }

            var idle = Stats.Median(generation.IdleSdkPublish);
            if (idle is not null && plain is not null && with is not null)
            {
                md.AppendLine($"| of which: referencing the SDK package, generation off (`{generation.IdleSdkCommand}` on the MultiStage.Sdk copy, median of {generation.IdleSdkPublish.Count}: {Seconds(idle)}) | {string.Create(Inv, $"{idle - plain:+0.00;-0.00} s")} | | |");
                md.AppendLine($"| of which: generating (the rest) | {string.Create(Inv, $"{with - idle:+0.00;-0.00} s ({(with - idle) / plain * 100:+0.0;-0.0} %)")} | | |");
            }

            md.AppendLine($"| `{generation.GenerateOnlyCommand}` rerun, nothing changed, median of {generation.GenerateOnly.Count} | {Seconds(only)} | | |");
            var writtenText = $"{written.Count} file(s) written over {generation.Written.Count} runs" + (written.Count > 0 ? ": " + string.Join(", ", written.Take(5)) : "")
                + $"; Dockerfile mtime {(generation.DockerfileTimeBefore == generation.DockerfileTimeAfter ? "unchanged" : "changed")}";
            md.AppendLine($"| no-change reruns write nothing | {writtenText} | writes nothing | {(quietPass ? "PASS" : "FAIL")} |");
            if (generation.Breakdown.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("Where the added time goes (MSBuild performance summary of one more run of the generating publish; targets include the tasks they run): "
                    + string.Join(", ", generation.Breakdown.Select(b => string.Create(Inv, $"`{b.Name}` {b.Milliseconds / 1000.0:0.00} s"))) + ".");
            }

            if (generation.Error is not null)
            {
                md.AppendLine();
                md.AppendLine($"Generation measurements failed: `{generation.Error.Split('\n')[0]}`");
            }

            targets.Add(("multiproject: generation adds ≤ 5 % to a plain publish", addedText, addPass));
            targets.Add(("multiproject: no-change rerun writes nothing", writtenText, quietPass));
            md.AppendLine();
        }
        else if (options.Assets.Any(a => a.Name == "multiproject"))
        {
            targets.Add(("multiproject: generation adds ≤ 5 % to a plain publish", "not measured", false));
            targets.Add(("multiproject: no-change rerun writes nothing", "not measured", false));
        }

        md.AppendLine("## Images");
        md.AppendLine();
        md.AppendLine("| Asset | Variant | Runtime base image | Image runs | Output |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            foreach (var v in r.Variants.Values)
            {
                var output = v.RunOutput.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
                if (output.Length > 90)
                {
                    output = output[..90] + "…";
                }

                md.AppendLine($"| {r.Asset.Name} | ({v.Key}) | `{v.RuntimeBase ?? "?"}` | {(v.Runs is null ? "–" : v.Runs.Value ? "yes" : "NO")} | {(output.Length > 0 ? "`" + output + "`" : "")} |");
            }
        }

        return md.ToString();
    }

    private static double? Get(VariantResult? v, Func<VariantResult, double?> get) => v is null ? null : get(v);
}
