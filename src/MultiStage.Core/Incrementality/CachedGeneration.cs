using MultiStage.Generation;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Incrementality;

/// <summary>
/// Runs one generation through the two caches: the evaluated closure (<see cref="ClosureCache"/>) and the stamp of
/// the last generation (<see cref="GenerationStamp"/>). A run whose closure and stamp both still hold gives back the
/// stored outputs without planning; any other run generates, then renews what it may.
/// </summary>
public sealed class CachedGeneration
{
    /// <summary>Where the evaluated closure is kept between runs; empty: evaluate every time.</summary>
    public string ClosureCacheFile { get; init; } = "";

    /// <summary>Where the stamp of the last generation is kept; empty: plan every time. Needs <see cref="ClosureCacheFile"/>.</summary>
    public string GenerationStampFile { get; init; } = "";

    /// <summary>Only comparing with the files on disk: never answered from the stamp.</summary>
    public bool CheckOnly { get; init; }

    /// <param name="closureKey">What the evaluation depends on besides files (entry project, global properties, MSBuild).</param>
    /// <param name="parameters">What the generation depends on besides files and the closure (every task parameter), read only when a stamp is used.</param>
    /// <param name="evaluateClosure">Evaluates the ProjectReference closure; null (logged) when it fails. Null for a generation that needs no graph (the inner loop), which bypasses both caches.</param>
    /// <param name="generate">The generation itself, for a closure, reporting to the log it is given.</param>
    /// <param name="log">Where the run reports.</param>
    /// <returns>The outputs, or null when the run failed (logged).</returns>
    public GenerationOutputs? Run(string closureKey, IEnumerable<string> parameters, Func<IReadOnlyList<ProjectNode>?>? evaluateClosure,
        Func<IReadOnlyList<ProjectNode>, ILog, GenerationResult?> generate, ILog log)
    {
        var startedAt = DateTime.UtcNow;
        var counting = new CountingLog(log);
        IReadOnlyList<ProjectNode> closure = Array.Empty<ProjectNode>();
        Action? storeClosure = null;
        string? stampKey = null;
        if (evaluateClosure is not null)
        {
            if (ClosureCacheFile.Length == 0)
            {
                if (evaluateClosure() is not { } evaluated)
                {
                    return null;
                }

                closure = evaluated;
            }
            else
            {
                var cacheFile = Path.GetFullPath(ClosureCacheFile);
                if (ClosureCache.TryRead(cacheFile, closureKey) is { } cached)
                {
                    log.Info("ProjectReference closure unchanged since the last run: taken from " + cacheFile, Verbosity.Detailed);
                    closure = cached;
                }
                else
                {
                    var evaluatedAt = DateTime.UtcNow;
                    if (evaluateClosure() is not { } evaluated)
                    {
                        return null;
                    }

                    closure = evaluated;
                    storeClosure = () => ClosureCache.Write(cacheFile, closureKey, evaluated, evaluatedAt);
                }

                if (GenerationStampFile.Length > 0 && !CheckOnly)
                {
                    // The generator's own build is part of the key: a new version plans again.
                    stampKey = ClosureCache.Key(new[] { closureKey, typeof(CachedGeneration).Assembly.ManifestModule.ModuleVersionId.ToString() }.Concat(parameters));
                    if (storeClosure is null && GenerationStamp.TryRead(Path.GetFullPath(GenerationStampFile), stampKey) is { } stored)
                    {
                        var outputs = GenerationOutputs.FromPairs(stored);
                        log.Info($"{outputs.Dockerfile} is up to date: nothing it is generated from changed since the last run.", Verbosity.Summary);
                        return outputs;
                    }
                }
            }
        }

        var result = generate(closure, counting);
        if (result is null || counting.HasErrors)
        {
            return null;
        }

        // Stored after the generated files are written: they sit in folders the cache watches.
        storeClosure?.Invoke();
        var generated = GenerationOutputs.From(result);

        // A run that warned is not stamped: the next one plans again and repeats the warning.
        if (stampKey is not null && !counting.HasWarnings)
        {
            // The closure cache goes with the outputs: this run may just have written it.
            GenerationStamp.Write(Path.GetFullPath(GenerationStampFile), stampKey, generated.ToPairs(), result.Inputs,
                result.OutputFiles.Append(Path.GetFullPath(ClosureCacheFile)), startedAt);
        }

        return generated;
    }

    /// <summary>Passes everything on and remembers whether an error or a warning went by.</summary>
    private sealed class CountingLog(ILog inner) : ILog
    {
        public bool HasErrors { get; private set; }

        public bool HasWarnings { get; private set; }

        public void Error(string code, string message, string? file = null)
        {
            HasErrors = true;
            inner.Error(code, message, file);
        }

        public void Warning(string code, string message, string? file = null)
        {
            HasWarnings = true;
            inner.Warning(code, message, file);
        }

        public void Info(string message, Verbosity verbosity = Verbosity.Normal) => inner.Info(message, verbosity);
    }
}
