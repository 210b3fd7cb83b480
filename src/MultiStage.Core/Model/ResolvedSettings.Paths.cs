using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Logging;

namespace MultiStage.Model;

/// <summary>
/// Checking the values that say where the generator writes, and what it writes into the .dockerignore: a value
/// that could make it write outside the repository, over a file of the user's, or a line it did not mean, is refused.
/// </summary>
public sealed partial record ResolvedSettings
{
    /// <summary>MultiStageContextRoot as a full path ("" when not set); null (logged) when it cannot be one.</summary>
    private static string? CheckContextRoot(ContainerSettings settings, ProjectFacts project, ILog log)
    {
        var value = settings.ContextRoot;
        if (FullPath(value, "MultiStageContextRoot", ErrorCodes.InvalidContextRoot, log) is not { Length: > 0 } full)
        {
            return value.Length == 0 ? "" : null;
        }

        if (IsFileSystemRoot(full))
        {
            log.Error(ErrorCodes.InvalidContextRoot, $"MultiStageContextRoot '{value}' is the file-system root '{full}': the Dockerfile and .dockerignore would be written there. Choose the folder of the repository or of the project, or leave MultiStageContextRoot empty.");
            return null;
        }

        if (project.RepositoryRoot is { } repository && !IO.PathUtil.IsUnder(full, repository))
        {
            log.Error(ErrorCodes.InvalidContextRoot, $"MultiStageContextRoot '{value}' ({full}) is outside the repository '{repository}': the generator writes only inside it. Choose a folder inside the repository, or leave MultiStageContextRoot empty.");
            return null;
        }

        return full;
    }

    /// <summary>
    /// MultiStageDockerfile as a full path ("" when not set); null (logged) when it cannot name a file. Whether it lies
    /// inside the context and whether a file there is ours is known only once the context is planned (the generator).
    /// </summary>
    private static string? CheckDockerfilePath(ContainerSettings settings, ILog log)
    {
        var value = settings.DockerfilePath;
        if (FullPath(value, "MultiStageDockerfile", ErrorCodes.InvalidDockerfilePath, log) is not { Length: > 0 } full)
        {
            return value.Length == 0 ? "" : null;
        }

        if (Directory.Exists(full) || IsFileSystemRoot(full) || value.EndsWith("/", StringComparison.Ordinal) || value.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal))
        {
            log.Error(ErrorCodes.InvalidDockerfilePath, $"MultiStageDockerfile '{value}' is a folder; give the path of the file to write, e.g. '{Path.Combine(full, WellKnownNames.Dockerfile)}'.");
            return null;
        }

        return full;
    }

    /// <summary>
    /// The full path of a path property; "" when it is not set, null (logged with <paramref name="code"/>) when it
    /// cannot name one file or folder: MSBuild joins an item list with ';' (-p:MultiStageDockerfile=@(Compile) is a
    /// list of files), and a control character (NUL among them) is no part of a path we write.
    /// </summary>
    private static string? FullPath(string value, string property, string code, ILog log)
    {
        if (value.Length == 0)
        {
            return "";
        }

        var problem = value.Contains(';') ? "is a list (it contains ';'): give one path"
            : value.Any(CharacterNames.IsUnprintable) ? $"contains {CharacterNames.Describe(value.First(CharacterNames.IsUnprintable))}, which no path the generator writes may hold"
            : null;
        if (problem is not null)
        {
            log.Error(code, $"{property} '{CharacterNames.Escape(value)}' {problem}.");
            return null;
        }

        return Path.GetFullPath(value);
    }

    private static bool IsFileSystemRoot(string fullPath) =>
        Path.GetPathRoot(fullPath) is { Length: > 0 } root && IO.PathUtil.AsDirectory(root) == IO.PathUtil.AsDirectory(fullPath);

    /// <summary>
    /// The MultiStageDockerIgnore items trimmed, as the builders read a .dockerignore line, none empty; null (logged)
    /// when one cannot be written as exactly one pattern: a control character would split or corrupt the line, and
    /// a leading '#' makes it a comment.
    /// </summary>
    private static List<string>? CheckDockerIgnorePatterns(ContainerSettings settings, ILog log)
    {
        var result = new List<string>();
        foreach (var item in settings.DockerIgnorePatterns)
        {
            var pattern = item.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }

            string? problem = null;
            if (pattern.Any(CharacterNames.IsUnprintable))
            {
                problem = $"contains {CharacterNames.Describe(pattern.First(CharacterNames.IsUnprintable))}; give one pattern per item";
            }
            else if (pattern.StartsWith("#", StringComparison.Ordinal))
            {
                problem = "starts with '#', which makes the line a comment; write '\\" + pattern + "' to match a name starting with '#'";
            }
            else
            {
                try
                {
                    DockerIgnore.Parse(pattern);
                }
                catch (DockerIgnoreException e)
                {
                    problem = "is not a valid pattern: " + e.Message;
                }
            }

            if (problem is not null)
            {
                log.Error(ErrorCodes.InvalidDockerIgnorePattern, $"MultiStageDockerIgnore '{CharacterNames.Escape(pattern)}' {problem}.");
                return null;
            }

            result.Add(pattern);
        }

        return result;
    }
}
