namespace MultiStage.IO;

/// <summary>Path helpers that keep Dockerfile paths relative and '/'-separated.</summary>
internal static class PathUtil
{
    public static readonly StringComparer Comparer = (Path.DirectorySeparatorChar == '\\') ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static StringComparison Comparison => (Path.DirectorySeparatorChar == '\\') ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Full path with a trailing separator, so prefix tests cannot match "/src2" against "/src".</summary>
    public static string AsDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        return full.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? full : full + Path.DirectorySeparatorChar;
    }

    public static bool IsUnder(string path, string directory) =>
        Path.GetFullPath(path).StartsWith(AsDirectory(directory), Comparison) || AsDirectory(path) == AsDirectory(directory);

    /// <summary>Relative path from a directory, with '/' separators; empty for the directory itself.</summary>
    public static string Relative(string root, string path)
    {
        var rootDir = AsDirectory(root);
        var full = Path.GetFullPath(path);
        if (AsDirectory(full) == rootDir)
        {
            return "";
        }

        if (!full.StartsWith(rootDir, Comparison))
        {
            throw new ArgumentException($"'{path}' is not under '{root}'.");
        }

        return full.Substring(rootDir.Length).TrimEnd(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>The deepest directory holding every given directory.</summary>
    public static string CommonDirectory(IEnumerable<string> directories)
    {
        string? common = null;
        foreach (var dir in directories.Select(AsDirectory))
        {
            if (common is null)
            {
                common = dir;
                continue;
            }

            while (!dir.StartsWith(common, Comparison))
            {
                var parent = Path.GetDirectoryName(common.TrimEnd(Path.DirectorySeparatorChar));
                common = parent is null ? Path.GetPathRoot(common)! : AsDirectory(parent);
            }
        }

        return common ?? throw new ArgumentException("No directories given.", nameof(directories));
    }
}
