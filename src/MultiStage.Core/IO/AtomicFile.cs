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
            File.WriteAllBytes(temp, bytes);
            if (File.Exists(path))
            {
                File.Replace(temp, path, null);
            }
            else
            {
                File.Move(temp, path);
            }
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
    /// <paramref name="prefix"/>: files whose bytes differ are copied, files that are gone (an older version) deleted,
    /// so a rerun with nothing changed touches nothing. Returns the number of files changed; adds the path of every
    /// file the destination holds afterwards to <paramref name="mirrored"/>.
    /// </summary>
    public static int MirrorDirectory(string source, string destination, string prefix, Func<string, bool>? include = null, ICollection<string>? mirrored = null)
    {
        var changed = 0;
        var sourceRoot = source.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = file.Substring(sourceRoot.Length);
            if (include is null || include(relative.Replace(Path.DirectorySeparatorChar, '/')))
            {
                wanted[Path.Combine(prefix, relative)] = file;
            }
        }

        foreach (var pair in wanted.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var to = Path.Combine(destination, pair.Key);
            mirrored?.Add(to);
            if (File.Exists(to) && new FileInfo(to).Length == new FileInfo(pair.Value).Length && File.ReadAllBytes(to).AsSpan().SequenceEqual(File.ReadAllBytes(pair.Value)))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            var temp = to + ".tmp";
            File.Copy(pair.Value, temp, overwrite: true);
            if (File.Exists(to))
            {
                File.Delete(to);
            }

            File.Move(temp, to);
            changed++;
        }

        if (Directory.Exists(destination))
        {
            var destinationRoot = destination.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            foreach (var stale in Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).ToList())
            {
                if (!wanted.ContainsKey(stale.Substring(destinationRoot.Length)))
                {
                    File.Delete(stale);
                    changed++;
                }
            }

            foreach (var dir in Directory.EnumerateDirectories(destination, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).ToList())
            {
                if (!Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
        }

        return changed;
    }
}
