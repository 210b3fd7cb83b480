namespace MultiStage.Bench;

/// <summary>
/// The fresh-runner measurement (<c>--fresh-runner</c>): a CI runner starts with an empty build cache, the base images
/// present and, in the registry, the previous commit's image with its inline cache; then a one-line edit is built.
/// (a) MultiStage.Sdk with MultiStageCacheTo=inline and, as cache, the previous image and the build stage's cache that
/// its build pushed (MultiStageBuildStageCache, as a CI job with ContainerRegistry pushes it), (a0) the same
/// command without a registry cache, (b) the sample Dockerfile cold, (b') the sample Dockerfile with
/// <c>--cache-from</c> of its own previous image, built with <c>BUILDKIT_INLINE_CACHE=1</c> and pushed.
/// </summary>
internal sealed class FreshRunner(BenchContext context, FreshRunner.Hooks hooks)
{
    /// <summary>What the harness's top level lends: building one sample, logging, removing registry images, guarding a step.</summary>
    internal sealed record Hooks(
        Func<Variant, Sample, string, ImageInfo> Build,
        Action<string> Say,
        Action<IEnumerable<string>> RemoveFromRegistry,
        Func<VariantResult, Variant, Action, bool> Guard,
        Action<string> Note);

    /// <summary>Report labels of the variants: "b2" is (b'), whose key has to be a valid image repository part.</summary>
    public static string Label(string key) => key == "b2" ? "(b')" : $"({key})";

    private readonly List<string> _pushed = [];

    /// <summary>The image of "the previous commit" in the registry, whose inline cache the variant builds from.</summary>
    public string PreviousImage(Asset asset, string key) => $"{context.Options.Registry}/msbench/{asset.Name}-{key}:previous-{context.Stamp}";

    /// <summary>The build stage's cache that (a)'s previous build pushes (MultiStageBuildStageCacheTag's default).</summary>
    public string BuildStageCache(Asset asset) => $"{context.Options.Registry}/msbench/{asset.Name}-a:buildcache";

    /// <summary>Where (a)'s engine client writes its build steps: MSBuild's file logger at normal verbosity, the console stays quiet.</summary>
    private string StepLog(Asset asset, string key) => Path.Combine(context.Work, "logs", $"{asset.Name}-{key}-steps.log");

    public List<Variant> Variants(Asset asset) =>
    [
        // --no-restore as the CI recipes run it (docs/ci/): the build stage restores in the image, the host needs no restore.
        // The fresh runs name both caches and push nothing, as (b') pushes nothing: only the previous commit pushes.
        new MultiStageVariant(context, asset, "a", "--no-restore", "-p:MultiStageCacheTo=inline", $"-p:MultiStageCacheFrom={PreviousImage(asset, "a")}%3B{BuildStageCache(asset)}", $"-flp:Verbosity=normal;LogFile={StepLog(asset, "a")}"),
        new MultiStageVariant(context, asset, "a0", "--no-restore", $"-flp:Verbosity=normal;LogFile={StepLog(asset, "a0")}"),
        new SampleDockerfileVariant(context, asset, "b"),
        new SampleDockerfileVariant(context, asset, "b2", "--build-arg", "BUILDKIT_INLINE_CACHE=1", "--cache-from", PreviousImage(asset, "b2")),
    ];

    /// <summary>Variants that start from a previous image in the registry.</summary>
    private static bool UsesRegistryCache(Variant v) => v.Key is "a" or "b2";

    public void Measure(AssetResult result, List<Variant> variants)
    {
        var alive = variants.ToList();

        // The previous commit: built once from the unedited sources (after a prune, like every build here), pushed.
        foreach (var variant in alive.Where(UsesRegistryCache).ToList())
        {
            var vr = result[variant.Key]!;
            if (!hooks.Guard(vr, variant, () =>
            {
                variant.MakeCold();
                Prune();
                var seed = new Sample { Kind = "previous", Run = 1 };
                vr.Warm.Add(seed);
                // As a CI job: with ContainerRegistry the SDK pushes the image and the build stage's cache.
                var sdk = variant as SdkVariant;
                if (sdk is not null)
                {
                    sdk.Also = [$"-p:ContainerRegistry={context.Options.Registry}"];
                    _pushed.Add($"{context.Options.Registry}/{variant.ImageReference}");
                    _pushed.Add(BuildStageCache(variant.Asset));
                }

                try
                {
                    hooks.Build(variant, seed, $"{result.Asset.Name} {Label(variant.Key)} previous commit");
                }
                finally
                {
                    if (sdk is not null)
                    {
                        sdk.Also = [];
                        context.Docker.TryRun("image", "rm", $"{context.Options.Registry}/{variant.ImageReference}");
                    }
                }

                var previous = PreviousImage(variant.Asset, variant.Key);
                context.Docker.Text("tag", variant.ImageReference, previous);
                _pushed.Add(previous);
                context.Docker.Text("push", previous);
            }))
            {
                alive.Remove(variant);
            }
        }

        var rounds = context.Options.FreshRuns;
        for (var round = 1; round <= rounds; round++)
        {
            // Turns in mirrored order every other round, so a drift of the machine's load hits every variant alike.
            var order = round % 2 == 1 ? alive.ToList() : Enumerable.Reverse(alive).ToList();
            foreach (var variant in order)
            {
                var vr = result[variant.Key]!;
                if (!hooks.Guard(vr, variant, () =>
                {
                    Workspace.EditSource(variant.SourceFile, $"{variant.Key}{round}");
                    variant.MakeCold();
                    ForgetLocalImages(variant);
                    Prune();
                    var sample = new Sample { Kind = "fresh", Run = round };
                    vr.Cold.Add(sample);
                    hooks.Build(variant, sample, $"{result.Asset.Name} {Label(variant.Key)} fresh runner {round}/{rounds}");
                    var stepLog = variant is MultiStageVariant ? StepLog(variant.Asset, variant.Key) : sample.Log;
                    sample.Steps = File.Exists(stepLog) ? BuildSteps.Parse(File.ReadAllText(stepLog)) : [];
                    var cached = SampleDockerfileVariant.CachedSteps(File.ReadAllText(sample.Log));
                    if (round == 1 && variant is SampleDockerfileVariant && cached.Count > 0)
                    {
                        hooks.Note($"{result.Asset.Name} {Label(variant.Key)} fresh runner 1: BuildKit took {string.Join(", ", cached.Select(c => "`" + c + "`"))} from the cache.");
                    }
                }))
                {
                    alive.Remove(variant);
                }
            }
        }

        foreach (var variant in alive)
        {
            result[variant.Key]!.RuntimeBase = variant.RuntimeBase();
        }
    }

    /// <summary>Removes the previous images from the registry (the harness removes the local ones).</summary>
    public void Cleanup() => hooks.RemoveFromRegistry(_pushed);

    /// <summary>A fresh runner has neither the image of the last round nor a local copy of the previous one: only the registry has that.</summary>
    private void ForgetLocalImages(Variant variant)
    {
        context.Docker.TryRun("image", "rm", variant.ImageReference);
        if (UsesRegistryCache(variant))
        {
            context.Docker.TryRun("image", "rm", PreviousImage(variant.Asset, variant.Key));
        }
    }

    private void Prune()
    {
        if (!context.Docker.TryRun("builder", "prune", "-af"))
        {
            throw new BenchException("docker builder prune -af failed (see " + context.Docker.LogPath + ")");
        }
    }
}
