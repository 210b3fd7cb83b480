using System.Globalization;
using System.Text;

namespace MultiStage.Incrementality;

/// <summary>What a <see cref="PathStamp"/> records of a path; the value is the letter cache files store.</summary>
public enum PathStampKind
{
    /// <summary>A file: write time and size, or missing.</summary>
    File = 'f',

    /// <summary>A folder: the names of the files in it.</summary>
    Folder = 'd',

    /// <summary>A file probe: exists or not.</summary>
    Probe = 'p',

    /// <summary>An entry probe: a file or folder exists or not.</summary>
    Entry = 'e',

    /// <summary>A folder: the names of its files and subfolders.</summary>
    Listing = 'l',
}

/// <summary>The state of a path that a cached result depends on, as a short string to store and compare later.</summary>
public static class PathStamp
{
    public static string Of(PathStampKind kind, string path)
    {
        switch (kind)
        {
            case PathStampKind.File:
                var file = new FileInfo(path);
                return file.Exists ? file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) + ":" + file.Length.ToString(CultureInfo.InvariantCulture) : "missing";
            case PathStampKind.Folder:
                if (!Directory.Exists(path))
                {
                    return "missing";
                }

                // Files only: a new subfolder (obj/Debug/ beside the restore output in obj/) imports nothing by itself.
                var names = Directory.EnumerateFiles(path).Select(f => Path.GetFileName(f)).ToList();
                names.Sort(StringComparer.Ordinal);
                return ClosureCache.Key(names);
            case PathStampKind.Listing:
                if (!Directory.Exists(path))
                {
                    return "missing";
                }

                var entries = Directory.EnumerateFiles(path).Select(f => Path.GetFileName(f))
                    .Concat(Directory.EnumerateDirectories(path).Select(d => Path.GetFileName(d) + "/")).ToList();
                entries.Sort(StringComparer.Ordinal);
                return ClosureCache.Key(entries);
            case PathStampKind.Probe:
                return System.IO.File.Exists(path) ? "1" : "0";
            default:
                return System.IO.File.Exists(path) || Directory.Exists(path) ? "1" : "0";
        }
    }

    /// <summary>True when a file was written at or after <paramref name="sinceUtc"/>: a reader then may have seen it half-way.</summary>
    public static bool ChangedSince(PathStampKind kind, string path, DateTime sinceUtc) =>
        kind == PathStampKind.File && System.IO.File.Exists(path) && System.IO.File.GetLastWriteTimeUtc(path) >= sinceUtc;

    /// <summary>
    /// The lines after the first two of a cache file in the tab-separated, line-based format (a header, then
    /// <c>key\t…</c>), or null when the file is missing, unreadable, of another format or for another key.
    /// </summary>
    public static string[]? ReadCacheLines(string cacheFile, string header, string key)
    {
        string[] lines;
        try
        {
            if (!System.IO.File.Exists(cacheFile))
            {
                return null;
            }

            lines = System.IO.File.ReadAllLines(cacheFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return lines.Length < 2 || lines[0] != header || lines[1] != "key\t" + key ? null : lines.Skip(2).ToArray();
    }

    /// <summary>The first two lines of a cache file that <see cref="ReadCacheLines"/> reads back.</summary>
    public static StringBuilder StartCacheText(string header, string key) =>
        new StringBuilder().Append(header).Append('\n').Append("key\t").Append(key).Append('\n');

    /// <summary>A <c>stamp\t&lt;kind&gt;\t&lt;stamp&gt;\t&lt;path&gt;</c> line with the path's state now.</summary>
    public static void AppendStampLine(StringBuilder text, PathStampKind kind, string path) =>
        text.Append("stamp\t").Append((char)kind).Append('\t').Append(Of(kind, path)).Append('\t').Append(path).Append('\n');

    /// <summary>
    /// For the split fields of a cache line: null when it is not a stamp line; otherwise whether the path is still as
    /// stamped (false also for an unknown kind).
    /// </summary>
    public static bool? Holds(string[] parts)
    {
        if (parts.Length != 4 || parts[0] != "stamp")
        {
            return null;
        }

        return parts[1].Length == 1 && Enum.IsDefined(typeof(PathStampKind), (int)parts[1][0]) && Of((PathStampKind)parts[1][0], parts[3]) == parts[2];
    }

    /// <summary>Whether a value fits the tab-separated, line-based cache formats.</summary>
    public static bool Writable(string value) => value.IndexOfAny(new[] { '\t', '\n', '\r' }) < 0;
}
