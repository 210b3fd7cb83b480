using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiStage.Bench;

/// <summary>Times one build of a variant into a sample, keeps a failure to its variant, and removes the images built.</summary>
internal sealed partial class Builds(BenchRun run)
{
    /// <summary>IDs of the images this run built, removed after each asset and at the end.</summary>
    private readonly HashSet<string> _built = new(StringComparer.Ordinal);

    /// <summary>Runs one step of a variant; a failure ends that variant only, the others go on.</summary>
    public static bool Guard(VariantResult vr, Variant variant, Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (BenchException e)
        {
            vr.Error ??= e.Message;
            BenchRun.Say($"{variant.Asset.Name} ({variant.Key}) failed: {e.Message.Split('\n')[0]}");
            return false;
        }
    }

    /// <summary>Prepares each variant's copy of the asset; a variant that fails here is left out of the rounds.</summary>
    public static List<Variant> Prepare(AssetResult result, IEnumerable<Variant> variants, Action<Variant>? alsoPrepare = null)
    {
        var prepared = new List<Variant>();
        foreach (var variant in variants)
        {
            var vr = new VariantResult { Key = variant.Key, Command = variant.CommandLine };
            result.Variants[variant.Key] = vr;
            Guard(vr, variant, () =>
            {
                variant.Prepare();
                vr.Command = variant.CommandLine;
                alsoPrepare?.Invoke(variant);
                prepared.Add(variant);
            });
        }

        return prepared;
    }

    public ImageInfo BuildOnce(Variant variant, Sample sample, string label, ImageInfo? before = null)
    {
        var log = Path.Combine(run.Logs, $"{variant.Asset.Name}-{variant.Key}-{sample.Kind}-{sample.Run}.log");
        sample.Log = log;
        ProcResult result;
        long? contextBytes;
        while (true)
        {
            var engine = EnginePid();
            (result, contextBytes) = variant.Build(log);
            sample.Seconds = result.Elapsed.TotalSeconds;
            if (result.Ok || engine is null || sample.Repeats >= 2 || !WaitForEngine() || EnginePid() == engine)
            {
                break;
            }

            // The engine is shared: when something else restarts it mid-build, that build says nothing about the variant.
            sample.Repeats++;
            run.Info.Notes.Add($"{label}: the Docker engine was restarted during the build (not by this harness); the build was repeated.");
            BenchRun.Say($"{label}: the Docker engine restarted during the build; repeating it");
            if (sample.Kind == "cold")
            {
                variant.MakeCold();
            }
        }

        if (!result.Ok)
        {
            BenchRun.Say($"{label}: FAILED after {sample.Seconds:0.0} s (log: {log})\n{result.Tail(15)}");
            throw new BenchException($"{sample.Kind} build {sample.Run} failed (exit {result.ExitCode}); log: {log}\n{result.Tail(15)}");
        }

        if (variant is MultiStageVariant or HeadlineVariant && EngineLine().Match(result.Output) is { Success: true } engineLine)
        {
            sample.EngineSeconds = double.Parse(engineLine.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var image = run.Docker.Inspect(variant.ImageReference) ?? throw new BenchException($"{variant.ImageReference} is missing after a successful build");
        _built.Add(image.Id);
        sample.Ok = true;
        sample.ImageId = image.Id;
        sample.ImageSize = image.Size;
        sample.ContextBytes = contextBytes;
        var changed = "";
        if (before is not null)
        {
            sample.NewLayerBytes = run.Docker.NewLayerBytes(before, image, out var count);
            sample.NewLayers = count;
            changed = $", {count} new layer(s) {Report.Bytes(sample.NewLayerBytes.Value)}";
        }

        var ctx = (contextBytes is { } b ? $", context {Report.Bytes(b)}" : "") + (sample.EngineSeconds is { } e ? $", {e:0.0} s of it in the engine" : "");
        BenchRun.Say($"{label}: {sample.Seconds:0.0} s, image {Report.Bytes(image.Size)}{changed}{ctx}");
        return image;
    }

    /// <summary>Removes the images built so far, by their msbench/ names and then by ID (never forced: a base image is never removed here).</summary>
    public void RemoveImages()
    {
        if (run.Options.Keep)
        {
            return;
        }

        foreach (var id in _built.ToList())
        {
            var result = Proc.Run(Docker.Cli, ["image", "inspect", "--format", "{{range .RepoTags}}{{println .}}{{end}}", id], run.Work, run.Docker.LogPath);
            if (result.Ok)
            {
                foreach (var tag in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => t.StartsWith("msbench/", StringComparison.Ordinal)))
                {
                    run.Docker.TryRun("image", "rm", tag);
                }

                // Gone now unless something else still names it.
                run.Docker.TryRun("image", "rm", id);
            }

            _built.Remove(id);
        }
    }

    /// <summary>dockerd's pid file: a different pid after a build means the engine was restarted during it.</summary>
    private static string? EnginePid()
    {
        try
        {
            return File.Exists("/var/run/docker.pid") ? File.ReadAllText("/var/run/docker.pid").Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private bool WaitForEngine()
    {
        for (var i = 0; i < 90; i++)
        {
            if (run.Docker.TryRun("version"))
            {
                return true;
            }

            Thread.Sleep(2000);
        }

        return false;
    }

    [GeneratedRegex(@"Built image \S+ .* in ([0-9.]+)s\s*$", RegexOptions.Multiline)]
    private static partial Regex EngineLine();
}
