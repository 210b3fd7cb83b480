using MultiStage.IO;

namespace MultiStage.Incrementality;

/// <summary>
/// Remembers a generation that wrote nothing new, so the next run with the same inputs can skip planning altogether
/// (most of its time is spent compiling the planner's code on first use). It is valid while the key (every task
/// parameter, the closure's cache key, the generator's build) matches and every path the plan read or wrote is as it
/// was: the files probed above each project (NuGet.config, global.json), the local feeds they name, the SDK package,
/// the .dockerignore, the Dockerfile and the vendored package files. The closure itself is checked by
/// <see cref="ClosureCache"/> first; its file is one of the watched paths.
/// </summary>
public static class GenerationStamp
{
    private const string Header = "multistage-generation-stamp 1";

    /// <summary>The task outputs stored with the stamp, or null when there is none or anything it depends on changed.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? TryRead(string stampFile, string key)
    {
        if (PathStamp.ReadCacheLines(stampFile, Header, key) is not { } lines)
        {
            return null;
        }

        var outputs = new List<KeyValuePair<string, string>>();
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            if (PathStamp.Holds(parts) is { } holds)
            {
                if (!holds)
                {
                    return null;
                }
            }
            else if (parts.Length == 3 && parts[0] == "out")
            {
                outputs.Add(new KeyValuePair<string, string>(parts[1], parts[2]));
            }
            else
            {
                return null;
            }
        }

        return outputs;
    }

    /// <summary>
    /// Stores the stamp of a generation that started at <paramref name="startedAtUtc"/>. Nothing is stored (and an
    /// older stamp is removed) when an input file changed after that moment, since the plan may have read it half-way,
    /// or a value cannot be written down. Outputs are the files the generation wrote or found up to date.
    /// </summary>
    public static bool Write(string stampFile, string key, IEnumerable<KeyValuePair<string, string>> outputs,
        IEnumerable<(PathStampKind Kind, string Path)> inputs, IEnumerable<string> outputFiles, DateTime startedAtUtc)
    {
        var text = PathStamp.StartCacheText(Header, key);
        foreach (var pair in outputs)
        {
            if (!PathStamp.Writable(pair.Key) || !PathStamp.Writable(pair.Value))
            {
                return Delete(stampFile);
            }

            text.Append("out\t").Append(pair.Key).Append('\t').Append(pair.Value).Append('\n');
        }

        var outputList = outputFiles.ToList();
        var written = new HashSet<string>(outputList, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (kind, path) in inputs.Where(i => !written.Contains(i.Path)).Concat(outputList.Select(f => (PathStampKind.File, f))))
        {
            if (!seen.Add(kind + path))
            {
                continue;
            }

            // Outputs were written by this run, after it started; an input changed since then may have been read half-way.
            if (!PathStamp.Writable(path) || (!written.Contains(path) && PathStamp.ChangedSince(kind, path, startedAtUtc)))
            {
                return Delete(stampFile);
            }

            PathStamp.AppendStampLine(text, kind, path);
        }

        try
        {
            AtomicFile.WriteIfChanged(stampFile, text.ToString());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a shortcut: the next run plans again.
            return Delete(stampFile);
        }
    }

    /// <summary>Removes a stamp that could not be renewed. Always false.</summary>
    public static bool Delete(string stampFile)
    {
        try
        {
            File.Delete(stampFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left as it is: it is only used again when its key and every watched path match again.
        }

        return false;
    }
}
