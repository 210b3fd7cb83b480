namespace MultiStage.Engine.Archive;

/// <summary>Where <c>ContainerArchiveOutputPath</c> puts the archive, by Microsoft.NET.Build.Containers' rules.</summary>
public static class ImageArchivePath
{
    /// <summary>
    /// The archive's full path: <paramref name="value"/> relative to <paramref name="projectDirectory"/>; an existing
    /// folder, or a value ending in a separator, gets <c>&lt;repository&gt;.tar.gz</c> inside it.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a usable path (invalid characters, empty).</exception>
    public static string Resolve(string value, string projectDirectory, string repository)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("it contains a NUL character", nameof(value));
        }

        var full = Path.GetFullPath(value, projectDirectory);
        var folder = Directory.Exists(full) || value.EndsWith('/') || value.EndsWith('\\');
        return folder ? Path.Combine(full, repository.Replace('/', Path.DirectorySeparatorChar) + ".tar.gz") : full;
    }

    /// <summary>Whether the archive at <paramref name="path"/> is gzip-compressed: its name ends in .gz or .tgz (docker load reads both).</summary>
    public static bool IsGzip(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
}
