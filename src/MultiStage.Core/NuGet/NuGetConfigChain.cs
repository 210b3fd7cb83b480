using MultiStage.IO;

namespace MultiStage.NuGet;

/// <summary>
/// Which NuGet.config files restore reads for a project from the folders of a build context: NuGet looks in the
/// project's folder and every folder above it, and in each reads the first of its spellings that exists.
/// </summary>
public static class NuGetConfigChain
{
    /// <summary>The names NuGet tries in a folder on a case-sensitive disk, in its order.</summary>
    public static readonly IReadOnlyList<string> FileNames = new[] { "nuget.config", "NuGet.config", "NuGet.Config" };

    /// <summary>The config NuGet reads in <paramref name="directory"/>, or null when it has none.</summary>
    public static string? InDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        // Exact names only: on a case-insensitive disk File.Exists would accept any casing and name one file three times.
        var present = Directory.EnumerateFiles(directory).Select(Path.GetFileName).ToList();
        var name = FileNames.FirstOrDefault(n => present.Contains(n, StringComparer.Ordinal));
        return name is null ? null : Path.Combine(directory, name);
    }

    /// <summary>The configs restore reads for the project in <paramref name="projectDirectory"/> from folders under <paramref name="contextRoot"/>, closest first.</summary>
    public static IReadOnlyList<string> Find(string projectDirectory, string contextRoot)
    {
        var configs = new List<string>();
        for (var dir = Path.GetFullPath(projectDirectory).TrimEnd(Path.DirectorySeparatorChar); dir is not null && PathUtil.IsUnder(dir, contextRoot); dir = Path.GetDirectoryName(dir))
        {
            if (InDirectory(dir) is { } config)
            {
                configs.Add(config);
            }
        }

        return configs;
    }
}
