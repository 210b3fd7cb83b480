using MultiStage.DockerIgnoreMatching;
using MultiStage.IO;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// When a project folder is the context root, the state folder (the vendored SDK package, NuGet.config renderings)
/// sits inside it: copying the folder whole would copy the state folder a second time after restore took it. Its
/// entries are copied instead, all but the state folder.
/// </summary>
public static class RootFolderEntries
{
    /// <summary>
    /// The root's files and folders (folders end in '/') that the context holds, in ordinal order, without the state
    /// folder, the generated files, build output and the restore inputs already copied.
    /// </summary>
    public static IReadOnlyList<string> List(ContextLayout layout, DockerIgnore ignore, IEnumerable<string> outputDirectories, string dockerfilePath)
    {
        var root = layout.Root;
        var outputs = outputDirectories.Select(PathUtil.AsDirectory).ToList();
        var generated = new[] { WellKnownNames.StateFolder, WellKnownNames.DockerIgnore, PathUtil.IsUnder(dockerfilePath, root) ? PathUtil.Relative(root, dockerfilePath) : "" };
        var entries = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root))
        {
            var name = Path.GetFileName(path);
            var isFolder = Directory.Exists(path);
            if (generated.Contains(name, StringComparer.Ordinal) || layout.RestoreInputs.Contains(name, StringComparer.Ordinal)
                || (isFolder && outputs.Any(o => PathUtil.AsDirectory(path) == o)) || ignore.IsExcluded(name))
            {
                continue;
            }

            entries.Add(isFolder ? name + "/" : name);
        }

        entries.Sort(StringComparer.Ordinal);
        return entries;
    }
}
