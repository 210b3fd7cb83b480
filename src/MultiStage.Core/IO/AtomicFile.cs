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
    /// Mirrors a directory tree into another, copying only files whose bytes differ and deleting files
    /// that are gone, so a rerun with nothing changed touches nothing. Returns the number of files changed.
    /// </summary>
    public static int MirrorDirectory(string source, string destination)
    {
        var changed = 0;
        var sourceFiles = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Select(f => f.Substring(source.TrimEnd(Path.DirectorySeparatorChar).Length + 1))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var relative in sourceFiles.OrderBy(f => f, StringComparer.Ordinal))
        {
            var from = Path.Combine(source, relative);
            var to = Path.Combine(destination, relative);
            if (File.Exists(to) && new FileInfo(to).Length == new FileInfo(from).Length && File.ReadAllBytes(to).AsSpan().SequenceEqual(File.ReadAllBytes(from)))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            var temp = to + ".tmp";
            File.Copy(from, temp, overwrite: true);
            if (File.Exists(to))
            {
                File.Delete(to);
            }

            File.Move(temp, to);
            changed++;
        }

        if (Directory.Exists(destination))
        {
            foreach (var stale in Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).ToList())
            {
                var relative = stale.Substring(destination.TrimEnd(Path.DirectorySeparatorChar).Length + 1);
                if (!sourceFiles.Contains(relative))
                {
                    File.Delete(stale);
                    changed++;
                }
            }
        }

        return changed;
    }
}
