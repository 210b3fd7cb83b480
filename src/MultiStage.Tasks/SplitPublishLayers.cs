using Microsoft.Build.Framework;
using MultiStage.Generation;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>Copies the publish folder into one folder per layer (runtime, packages, app) for the runtime stage to COPY separately.</summary>
public sealed class SplitPublishLayers : Task
{
    [Required] public string PublishDirectory { get; set; } = "";
    [Required] public string LayerDirectory { get; set; } = "";
    /// <summary>ResolvedFileToPublish: RelativePath and NuGetPackageId say where each file came from.</summary>
    public ITaskItem[] PublishedItems { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>File extensions left out of the image (native debug symbols by default).</summary>
    public string[] ExcludedExtensions { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        var publishDir = Path.GetFullPath(PublishDirectory);
        var packageOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in PublishedItems)
        {
            var relative = item.GetMetadata("RelativePath");
            var package = item.GetMetadata("NuGetPackageId");
            if (relative.Length > 0 && package.Length > 0)
            {
                packageOf[PublishLayers.Normalize(relative)] = package;
            }
        }

        // Every file actually published lands in exactly one layer, whatever target added it.
        var files = Directory.EnumerateFiles(publishDir, "*", SearchOption.AllDirectories)
            .Select(f => PublishLayers.Normalize(f.Substring(publishDir.TrimEnd(Path.DirectorySeparatorChar).Length + 1)))
            .Where(f => !ExcludedExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var layers = PublishLayers.Classify(files, packageOf);

        var target = Path.GetFullPath(LayerDirectory);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        foreach (var layer in PublishLayers.InOrder)
        {
            Directory.CreateDirectory(Path.Combine(target, PublishLayers.FolderName(layer)));
        }

        foreach (var pair in layers)
        {
            var to = Path.Combine(target, PublishLayers.FolderName(pair.Value), pair.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(publishDir, pair.Key), to);
        }

        Log.LogMessage(MessageImportance.Normal, "Layers: " + string.Join(", ",
            PublishLayers.InOrder.Select(l => $"{PublishLayers.FolderName(l)} {layers.Count(p => p.Value == l)} files")));
        return true;
    }
}
