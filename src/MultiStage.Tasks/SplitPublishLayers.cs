using Microsoft.Build.Framework;
using MultiStage.Diagnostics;
using MultiStage.Generation;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>
/// Copies the publish folder into one folder per layer (runtime, packages, resources, projects, app) for the
/// runtime stage to COPY separately.
/// </summary>
public sealed class SplitPublishLayers : Task
{
    [Required] public string PublishDirectory { get; set; } = "";
    [Required] public string LayerDirectory { get; set; } = "";
    /// <summary>ResolvedFileToPublish: RelativePath, NuGetPackageId, ReferenceSourceTarget and MSBuildSourceProjectFile say where each file came from.</summary>
    public ITaskItem[] PublishedItems { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>The publishing project: files MSBuild attributes to another project are ProjectReference outputs.</summary>
    public string ProjectFullPath { get; set; } = "";
    /// <summary>Sources of the app's non-code files (apphost, runtimeconfig, deps.json, Content and None items).</summary>
    public ITaskItem[] ResourceFiles { get; set; } = Array.Empty<ITaskItem>();
    /// <summary>The layers the Dockerfile copies (<see cref="PublishLayers.Format"/>); empty: all of them.</summary>
    public string Layers { get; set; } = "";
    /// <summary>File extensions left out of the image (native debug symbols by default).</summary>
    public string[] ExcludedExtensions { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        var present = PublishLayers.Parse(Layers);
        if (present is null || !present.Contains(PublishLayer.App))
        {
            Log.LogError(null, ErrorCodes.InvalidLayers, null, null, 0, 0, 0, 0, $"MultiStageLayers '{Layers}' must name layers among {PublishLayers.Format(PublishLayers.InOrder)}, including app.");
            return false;
        }

        var publishDir = Path.GetFullPath(PublishDirectory);
        var project = ProjectFullPath.Length > 0 ? Path.GetFullPath(ProjectFullPath) : "";
        var resources = new HashSet<string>(ResourceFiles.Select(i => i.GetMetadata("FullPath")).Where(p => p.Length > 0), StringComparer.Ordinal);
        var origins = new Dictionary<string, PublishedFileOrigin>(StringComparer.Ordinal);
        foreach (var item in PublishedItems)
        {
            var relative = item.GetMetadata("RelativePath");
            if (relative.Length == 0)
            {
                continue;
            }

            var sourceProject = item.GetMetadata("MSBuildSourceProjectFile");
            var fromReference = string.Equals(item.GetMetadata("ReferenceSourceTarget"), "ProjectReference", StringComparison.OrdinalIgnoreCase)
                || (sourceProject.Length > 0 && project.Length > 0 && !string.Equals(Path.GetFullPath(sourceProject), project, StringComparison.Ordinal));
            origins[PublishLayers.Normalize(relative)] = new PublishedFileOrigin(
                item.GetMetadata("NuGetPackageId"), fromReference, resources.Contains(item.GetMetadata("FullPath")));
        }

        // Every file actually published lands in exactly one layer, whatever target added it.
        var files = Directory.EnumerateFiles(publishDir, "*", SearchOption.AllDirectories)
            .Select(f => PublishLayers.Normalize(f.Substring(publishDir.TrimEnd(Path.DirectorySeparatorChar).Length + 1)))
            .Where(f => !ExcludedExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var layers = PublishLayers.Classify(files, origins).ToDictionary(p => p.Key, p => PublishLayers.Place(p.Value, present), StringComparer.Ordinal);

        var target = Path.GetFullPath(LayerDirectory);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        foreach (var layer in present)
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
            present.Select(l => $"{PublishLayers.FolderName(l)} {layers.Count(p => p.Value == l)} files")));
        return true;
    }
}
