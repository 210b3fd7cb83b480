using MultiStage.Diagnostics;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Archive;

/// <summary>Where <c>ContainerArchiveOutputPath</c> puts the archive, by Microsoft.NET.Build.Containers' rules.</summary>
public static class ImageArchivePath
{
    /// <summary>
    /// The archive's full path: <paramref name="value"/> relative to <paramref name="projectDirectory"/>; an existing
    /// folder, or a value ending in a separator, gets <c>&lt;repository&gt;.tar.gz</c> inside it.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE243 when the value is no usable path (a NUL character, too long).</exception>
    public static string Resolve(string value, string projectDirectory, string repository)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        try
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("it contains a NUL character");
            }

            var full = Path.GetFullPath(value, projectDirectory);
            var folder = Directory.Exists(full) || value.EndsWith('/') || value.EndsWith('\\');
            return folder ? Path.Combine(full, repository.Replace('/', Path.DirectorySeparatorChar) + ".tar.gz") : full;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new EngineException(
                EngineErrorCodes.ArchiveNotWritten,
                $"ContainerArchiveOutputPath is '{Shown(value)}', which is no usable path: {e.Message.TrimEnd('.')}. Give a file (app.tar.gz) or a folder, absolute or relative to the project's folder.",
                e);
        }
    }

    /// <summary>
    /// The .dockerignore patterns that keep the archive and its temporary files out of a build context rooted at
    /// <paramref name="contextRoot"/>: written into the project's folder, the archive would otherwise go into the next
    /// build's context, and change it every time. None when the archive is outside the context.
    /// </summary>
    public static IReadOnlyList<string> ContextExclusions(string archivePath, string contextRoot)
    {
        var relative = Path.GetRelativePath(contextRoot, archivePath).Replace(Path.DirectorySeparatorChar, '/');
        if (relative == "." || relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative))
        {
            return [];
        }

        var slash = relative.LastIndexOf('/');
        var folder = slash < 0 ? "" : relative[..(slash + 1)];
        var name = relative[(slash + 1)..];
        return [Literal(relative), Literal(folder + "." + name + ".") + "*"];
    }

    /// <summary>A path as a .dockerignore pattern that matches only itself: the pattern characters escaped.</summary>
    private static string Literal(string path)
    {
        var builder = new System.Text.StringBuilder(path.Length + 4);
        foreach (var c in path)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' || (c == '!' && builder.Length == 0))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>A user's value in a message: unprintable characters escaped, at most 80 characters.</summary>
    internal static string Shown(string value) => CharacterNames.Escape(value.Length > 80 ? value[..80] + "…" : value);

    /// <summary>Whether the archive at <paramref name="path"/> is gzip-compressed: its name ends in .gz or .tgz (docker load reads both).</summary>
    public static bool IsGzip(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
}
