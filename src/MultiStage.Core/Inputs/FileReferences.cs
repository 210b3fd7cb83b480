using MultiStage.Model;

namespace MultiStage.Inputs;

/// <summary>
/// Which files an evaluated project names, from its items and properties: the files its build reads besides the
/// project files and imports. See docs/build-context.md for what the rules catch and what they miss.
/// </summary>
public static class FileReferences
{
    /// <summary>Properties the .NET SDK, the compilers and common tools read as a file path, relative to the project.</summary>
    public static readonly IReadOnlyList<string> DocumentedProperties = new[]
    {
        "AssemblyOriginatorKeyFile", "KeyOriginatorFile", "ApplicationIcon", "ApplicationManifest", "Win32Resource",
        "Win32Manifest", "CodeAnalysisRuleSet", "AppConfig", "RunSettingsFilePath", "NuGetLockFilePath",
    };

    /// <summary>Item metadata naming a file the build reads (a Reference's assembly).</summary>
    private static readonly string[] FileMetadata = { "HintPath" };

    /// <summary>
    /// Files named by properties: the documented ones (<see cref="BuildRead.Required"/>), and by the general rule any
    /// other whose value, or one of its ';'-separated parts, resolves against the project folder to an existing file.
    /// </summary>
    public static IEnumerable<BuildRead> FromProperties(string projectPath, IEnumerable<KeyValuePair<string, string>> properties)
    {
        var projectDir = Path.GetDirectoryName(projectPath)!;
        var name = Path.GetFileName(projectPath);
        foreach (var property in properties)
        {
            // This SDK's own properties name its outputs (the Dockerfile, the context root), not inputs of the build.
            if (property.Key.StartsWith("MultiStage", StringComparison.OrdinalIgnoreCase) || property.Key.StartsWith("_MultiStage", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var documented = DocumentedProperties.Contains(property.Key, StringComparer.OrdinalIgnoreCase);
            foreach (var part in property.Value.Split(';'))
            {
                if (Resolve(projectDir, part) is { } file)
                {
                    yield return new BuildRead(file, $"property {property.Key} of {name}", documented);
                }
            }
        }
    }

    /// <summary>Files named by items of any type: the include when it is a file, and file-naming metadata such as HintPath.</summary>
    public static IEnumerable<BuildRead> FromItems(string projectPath, IEnumerable<(string ItemType, string Include, Func<string, string> Metadata)> items)
    {
        var projectDir = Path.GetDirectoryName(projectPath)!;
        var name = Path.GetFileName(projectPath);
        foreach (var (type, include, metadata) in items)
        {
            if (Resolve(projectDir, include) is { } file)
            {
                yield return new BuildRead(file, $"{type} item of {name}", true);
            }

            foreach (var key in FileMetadata)
            {
                if (Resolve(projectDir, metadata(key)) is { } named)
                {
                    yield return new BuildRead(named, $"{key} of {type} item '{include}' of {name}", true);
                }
            }
        }
    }

    /// <summary>The full path of an existing file the value names, relative to <paramref name="baseDirectory"/>; null for anything else.</summary>
    internal static string? Resolve(string baseDirectory, string value)
    {
        var trimmed = value.Trim();
        // Globs that matched nothing, unexpanded references, URLs and option strings name no single file.
        if (trimmed.Length == 0 || trimmed.Length > 1024 || trimmed.IndexOfAny(new[] { '*', '?', '\n', '\r', '\0', '"' }) >= 0
            || trimmed.Contains("$(", StringComparison.Ordinal) || trimmed.Contains("@(", StringComparison.Ordinal)
            || trimmed.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var full = Path.GetFullPath(Path.Combine(baseDirectory, trimmed.Replace('\\', Path.DirectorySeparatorChar)));
            return File.Exists(full) ? full : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or IOException)
        {
            return null;
        }
    }
}
