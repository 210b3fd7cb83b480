using System.Text.RegularExpressions;

namespace MultiStage.Generation;

/// <summary>The runtime-stage layers, from least to most often changed.</summary>
public enum PublishLayer
{
    /// <summary>The .NET runtime and ASP.NET Core files a self-contained app carries.</summary>
    Runtime,

    /// <summary>Assemblies and native files from NuGet packages.</summary>
    Packages,

    /// <summary>The app's files that a code edit leaves alone: apphost, runtimeconfig/deps.json, content items.</summary>
    Resources,

    /// <summary>Outputs of the app's ProjectReferences (libraries of the same repository).</summary>
    Projects,

    /// <summary>Everything else the app project publishes: its own assemblies, symbols, generated files.</summary>
    App,
}

/// <summary>Where MSBuild says one published file came from.</summary>
/// <param name="NuGetPackageId">The package it was resolved from (metadata NuGetPackageId), or empty.</param>
/// <param name="FromProjectReference">It is an output of a ProjectReference (ReferenceSourceTarget / MSBuildSourceProjectFile).</param>
/// <param name="IsResource">Its source is one of the app's non-code files: apphost, runtimeconfig, deps.json or a Content/None item.</param>
public sealed record PublishedFileOrigin(string NuGetPackageId, bool FromProjectReference, bool IsResource);

/// <summary>
/// Splits a publish folder into layers by where MSBuild says each file came from, so an edit to the app
/// changes only the last layer of the image, as Jib does for Java.
/// </summary>
public static class PublishLayers
{
    public static readonly IReadOnlyList<PublishLayer> InOrder = new[] { PublishLayer.Runtime, PublishLayer.Packages, PublishLayer.Resources, PublishLayer.Projects, PublishLayer.App };

    // Runtime packs of the shared frameworks (self-contained and AOT apps resolve their runtime from these).
    private static readonly Regex RuntimePack = new(
        "^(Microsoft\\.NETCore\\.App|Microsoft\\.AspNetCore\\.App|Microsoft\\.WindowsDesktop\\.App)\\.Runtime\\.|^runtime\\.[^.]+\\.Microsoft\\.DotNet\\.ILCompiler\\z|^Microsoft\\.DotNet\\.ILCompiler\\z",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>
    /// The layers a project's image gets: no runtime layer for framework-dependent apps, no project layer without
    /// ProjectReferences. The split moves a file whose layer is absent to the next one up, so nothing is ever lost.
    /// </summary>
    public static IReadOnlyList<PublishLayer> For(bool selfContained, bool hasProjectReferences) =>
        InOrder.Where(l => l switch
        {
            PublishLayer.Runtime => selfContained,
            PublishLayer.Projects => hasProjectReferences,
            _ => true,
        }).ToList();

    /// <summary>The form the build stage passes to the split: folder names joined by '+'.</summary>
    public static string Format(IEnumerable<PublishLayer> layers) => string.Join("+", layers.Select(FolderName));

    /// <summary>Parses <see cref="Format"/>; empty means every layer. Null when a name is unknown.</summary>
    public static IReadOnlyList<PublishLayer>? Parse(string value)
    {
        if (value.Trim().Length == 0)
        {
            return InOrder;
        }

        var result = new List<PublishLayer>();
        foreach (var name in value.Split('+').Select(n => n.Trim()).Where(n => n.Length > 0))
        {
            var layer = InOrder.Where(l => string.Equals(FolderName(l), name, StringComparison.OrdinalIgnoreCase)).Cast<PublishLayer?>().FirstOrDefault();
            if (layer is null)
            {
                return null;
            }

            result.Add(layer.Value);
        }

        return result;
    }

    /// <summary>Where a file of <paramref name="layer"/> goes when the image has only <paramref name="present"/>: that layer or the next one up.</summary>
    public static PublishLayer Place(PublishLayer layer, IReadOnlyCollection<PublishLayer> present) =>
        InOrder.Where(l => l >= layer && present.Contains(l)).Cast<PublishLayer?>().FirstOrDefault() ?? PublishLayer.App;

    /// <summary>Folder name of a layer under the layer directory.</summary>
    public static string FolderName(PublishLayer layer) => layer.ToString().ToLowerInvariant();

    /// <summary>
    /// Assigns every published file to a layer. <paramref name="origins"/> maps a publish-relative path to what
    /// MSBuild said of it; a file it said nothing of (added by a custom target) is the app's own.
    /// </summary>
    public static IReadOnlyDictionary<string, PublishLayer> Classify(IEnumerable<string> publishedFiles, IReadOnlyDictionary<string, PublishedFileOrigin> origins)
    {
        var result = new SortedDictionary<string, PublishLayer>(StringComparer.Ordinal);
        foreach (var file in publishedFiles)
        {
            var key = Normalize(file);
            result[key] = !origins.TryGetValue(key, out var origin) ? PublishLayer.App
                : origin.NuGetPackageId.Length > 0 ? RuntimePack.IsMatch(origin.NuGetPackageId) ? PublishLayer.Runtime : PublishLayer.Packages
                : origin.FromProjectReference ? PublishLayer.Projects
                : origin.IsResource ? PublishLayer.Resources
                : PublishLayer.App;
        }

        return result;
    }

    public static string Normalize(string relativePath) => relativePath.Replace('\\', '/').TrimStart('/');
}
