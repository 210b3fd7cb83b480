using System.Text.RegularExpressions;

namespace MultiStage.Generation;

/// <summary>The runtime-stage layers, from least to most often changed.</summary>
public enum PublishLayer
{
    /// <summary>The .NET runtime and ASP.NET Core files a self-contained app carries.</summary>
    Runtime,

    /// <summary>Assemblies and native files from NuGet packages.</summary>
    Packages,

    /// <summary>The app's own assemblies (its project and its ProjectReferences) and content.</summary>
    App,
}

/// <summary>
/// Splits a publish folder into layers by where MSBuild says each file came from, so an edit to the app
/// changes only the last layer of the image, as Jib does for Java.
/// </summary>
public static class PublishLayers
{
    public static readonly IReadOnlyList<PublishLayer> InOrder = new[] { PublishLayer.Runtime, PublishLayer.Packages, PublishLayer.App };

    // Runtime packs of the shared frameworks (self-contained and AOT apps resolve their runtime from these).
    private static readonly Regex RuntimePack = new(
        "^(Microsoft\\.NETCore\\.App|Microsoft\\.AspNetCore\\.App|Microsoft\\.WindowsDesktop\\.App)\\.Runtime\\.|^runtime\\.[^.]+\\.Microsoft\\.DotNet\\.ILCompiler$|^Microsoft\\.DotNet\\.ILCompiler$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Folder name of a layer under the layer directory.</summary>
    public static string FolderName(PublishLayer layer) => layer.ToString().ToLowerInvariant();

    /// <summary>
    /// Assigns every published file to a layer. <paramref name="packageOf"/> maps a publish-relative path to the
    /// NuGet package MSBuild resolved it from (metadata NuGetPackageId); files without one are the app's own.
    /// </summary>
    public static IReadOnlyDictionary<string, PublishLayer> Classify(IEnumerable<string> publishedFiles, IReadOnlyDictionary<string, string> packageOf)
    {
        var result = new SortedDictionary<string, PublishLayer>(StringComparer.Ordinal);
        foreach (var file in publishedFiles)
        {
            var key = Normalize(file);
            result[key] = packageOf.TryGetValue(key, out var package) && package.Length > 0
                ? RuntimePack.IsMatch(package) ? PublishLayer.Runtime : PublishLayer.Packages
                : PublishLayer.App;
        }

        return result;
    }

    public static string Normalize(string relativePath) => relativePath.Replace('\\', '/').TrimStart('/');
}
