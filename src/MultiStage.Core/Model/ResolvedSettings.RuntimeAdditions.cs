using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Logging;

namespace MultiStage.Model;

/// <summary>
/// What the runtime stage adds to its base image: ContainerPackage, ContainerFile and ContainerWritableDirectory items.
/// Package names are checked against the image's package manager once the image is known (<c>Inference.OsPackageChecks</c>).
/// </summary>
public sealed partial record ResolvedSettings
{
    // A file mode as COPY --chmod takes it: octal, with or without the special bits.
    private static readonly Regex ModeRegex = new("^[0-7]{3,4}\\z", RegexOptions.CultureInvariant);

    /// <summary>ContainerPackage items by name (the last of a name wins), in name order.</summary>
    public IReadOnlyList<OsPackage> Packages { get; init; } = Array.Empty<OsPackage>();
    /// <summary>ContainerFile items in the order given (a later one over the same destination wins, as in the image).</summary>
    public IReadOnlyList<RuntimeFile> Files { get; init; } = Array.Empty<RuntimeFile>();
    /// <summary>ContainerWritableDirectory items: absolute, without a trailing '/', without repeats, in order.</summary>
    public IReadOnlyList<string> WritableDirectories { get; init; } = Array.Empty<string>();

    private static IReadOnlyList<OsPackage> ResolvePackages(ContainerSettings settings) =>
        settings.Packages.Select(p => new OsPackage(p.Name, p.Version.Length > 0 ? p.Version : null))
            .GroupBy(p => p.Name, StringComparer.Ordinal).Select(g => g.Last())
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>The ContainerFile items; null (logged) when one cannot be copied.</summary>
    private static List<RuntimeFile>? CheckFiles(ContainerSettings settings, BuilderKind builder, ILog log)
    {
        var files = new List<RuntimeFile>();
        foreach (var item in settings.Files)
        {
            var name = $"ContainerFile '{item.Source}'";
            if (!Representable(item.Source, name, log) || !Representable(item.Destination, $"{name} Destination", log))
            {
                return null;
            }

            string? problem = null;
            if (!File.Exists(item.Source))
            {
                problem = "does not exist (or is a folder): Include names one file of the project";
            }
            else if (!IsAbsoluteImagePath(item.Destination))
            {
                problem = $"needs Destination, an absolute path in the image such as /etc/app/{Path.GetFileName(item.Source)} (given: '{item.Destination}')";
            }
            else if (item.Mode.Length > 0 && !ModeRegex.IsMatch(item.Mode))
            {
                problem = $"has Mode '{item.Mode}', which is not an octal file mode such as 0640";
            }
            else if (item.Mode.Length > 0 && builder == BuilderKind.Classic)
            {
                problem = $"has Mode '{item.Mode}', which needs BuildKit's COPY --chmod; the classic builder has none. Build with BuildKit (leave MultiStageBuilder empty), or drop Mode and give the file its mode in the repository";
            }

            if (problem is not null)
            {
                log.Error(ErrorCodes.InvalidContainerFile, $"{name} {problem}.");
                return null;
            }

            var file = new RuntimeFile(Path.GetFullPath(item.Source), item.Destination, item.Mode.Length == 0 ? null : item.Mode.PadLeft(4, '0'));
            if (!files.Contains(file))
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>The ContainerWritableDirectory items; null (logged) when one is not an absolute folder below the root.</summary>
    private static List<string>? CheckWritableDirectories(ContainerSettings settings, ILog log)
    {
        var folders = new List<string>();
        foreach (var item in settings.WritableDirectories)
        {
            if (!Representable(item, "ContainerWritableDirectory", log))
            {
                return null;
            }

            var folder = item.TrimEnd('/');
            if (!IsAbsoluteImagePath(item) || folder.Length == 0)
            {
                log.Error(ErrorCodes.InvalidContainerFile, $"ContainerWritableDirectory '{item}' must be an absolute folder of the image below '/', such as /app/data.");
                return null;
            }

            if (!folders.Contains(folder, StringComparer.Ordinal))
            {
                folders.Add(folder);
            }
        }

        return folders;
    }

    private static bool IsAbsoluteImagePath(string path) => path.StartsWith("/", StringComparison.Ordinal) && !path.Split('/').Contains("..");
}

/// <summary>An OS package of the runtime stage; <see cref="Version"/> null: the newest the image's sources have.</summary>
public sealed record OsPackage(string Name, string? Version);

/// <summary>A file copied into the runtime image: its full path on this machine, its path in the image, and its octal mode (null: as in the context).</summary>
public sealed record RuntimeFile(string Source, string Destination, string? Mode);
