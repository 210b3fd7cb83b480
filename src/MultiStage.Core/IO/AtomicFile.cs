using System.Text;

namespace MultiStage.IO;

/// <summary>Writes files only when their content changes, through a temporary file and a rename, so readers never see half a file.</summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>True when the file was written; false when it already held exactly this text.</summary>
    public static bool WriteIfChanged(string path, string content)
    {
        var bytes = Utf8NoBom.GetBytes(content);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return false;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            FileWrites.WriteAllBytes(temp, bytes);
            if (File.Exists(path))
            {
                File.Replace(temp, path, null);
            }
            else
            {
                File.Move(temp, path);
            }
        }
        catch (IOException) when (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            // Another build writing the same file at once (two applications of one solution, built in parallel,
            // share the context's .dockerignore) got there first with the same content.
            return false;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return true;
    }

    /// <summary>Reads a file as text, or null when it does not exist.</summary>
    public static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path, Utf8NoBom) : null;

    /// <summary>
    /// Makes <paramref name="destination"/> hold exactly the files of <paramref name="source"/>, placed under
    /// <paramref name="prefix"/>. When anything differs, the whole folder is built beside it and renamed into place,
    /// so readers see the old folder or the new one, and a failed run (a full disk) leaves the old one and no
    /// temporary files behind; a rerun with nothing changed touches nothing. Returns the number of files that
    /// differed; adds the path of every file the destination holds afterwards to <paramref name="mirrored"/>.
    /// </summary>
    public static int MirrorDirectory(string source, string destination, string prefix, Func<string, bool>? include = null, ICollection<string>? mirrored = null)
    {
        var sourceRoot = PathUtil.AsDirectory(source);
        var wanted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = file.Substring(sourceRoot.Length);
            if (include is null || include(relative.Replace(Path.DirectorySeparatorChar, '/')))
            {
                wanted[Path.Combine(prefix, relative)] = file;
            }
        }

        var changed = CountDifferences(wanted, destination);
        if (changed > 0)
        {
            try
            {
                ReplaceDirectory(destination, staging =>
                {
                    foreach (var pair in wanted)
                    {
                        var to = Path.Combine(staging, pair.Key);
                        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                        FileWrites.Copy(pair.Value, to);
                    }
                });
            }
            catch (IOException) when (CountDifferences(wanted, destination) == 0)
            {
                // Another build of the same context (a second application of the solution) mirrored the same files at once.
            }
        }

        foreach (var relative in wanted.Keys)
        {
            mirrored?.Add(Path.Combine(destination, relative));
        }

        return changed;
    }

    /// <summary>Files of <paramref name="destination"/> that are missing, differ from their source or are not wanted.</summary>
    private static int CountDifferences(IReadOnlyDictionary<string, string> wanted, string destination)
    {
        if (!Directory.Exists(destination))
        {
            return Math.Max(wanted.Count, 1);
        }

        var changed = wanted.Count(pair => !SameBytes(Path.Combine(destination, pair.Key), pair.Value));
        var destinationRoot = PathUtil.AsDirectory(destination);
        return changed + Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories)
            .Count(file => !wanted.ContainsKey(file.Substring(destinationRoot.Length)));
    }

    private static bool SameBytes(string path, string other) =>
        File.Exists(path) && new FileInfo(path).Length == new FileInfo(other).Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(other));

    /// <summary>
    /// Fills a new folder beside <paramref name="destination"/> and swaps it in with two renames; on any failure the
    /// old folder is put back and the new one deleted.
    /// </summary>
    private static void ReplaceDirectory(string destination, Action<string> fill)
    {
        var full = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        var unique = "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8);
        var staging = Path.Combine(parent, unique + ".tmp");
        var previous = Path.Combine(parent, unique + ".old");
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            if (Directory.Exists(full))
            {
                Directory.Move(full, previous);
                try
                {
                    Directory.Move(staging, full);
                }
                catch
                {
                    Directory.Move(previous, full);
                    throw;
                }

                Directory.Delete(previous, recursive: true);
            }
            else
            {
                Directory.Move(staging, full);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
