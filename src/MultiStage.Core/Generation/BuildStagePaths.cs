using MultiStage.IO;

namespace MultiStage.Generation;

/// <summary>
/// Where the build context lands in the build stage: the Dockerfile copies the context folder to <see cref="SourceRoot"/>
/// as it is, so a path there names the same file under the context root on this machine.
/// </summary>
public static class BuildStagePaths
{
    /// <summary>The build stage's working directory, holding the build context.</summary>
    public const string SourceRoot = "/src";

    /// <summary>
    /// The path on this machine of a path the build stage printed, or the path unchanged when it is outside
    /// <see cref="SourceRoot"/> (a file of the SDK image, a package, a tool name such as MSBUILD).
    /// </summary>
    public static string ToHost(string buildStagePath, string contextRoot)
    {
        if (buildStagePath is null || contextRoot is null)
        {
            throw new ArgumentNullException(buildStagePath is null ? nameof(buildStagePath) : nameof(contextRoot));
        }

        if (!buildStagePath.StartsWith(SourceRoot + "/", StringComparison.Ordinal))
        {
            return buildStagePath;
        }

        var relative = buildStagePath[(SourceRoot.Length + 1)..];
        // A path that climbs out of /src (/src/../etc) is not a file of the context.
        if (relative.Split('/').Any(part => part == ".."))
        {
            return buildStagePath;
        }

        return Path.GetFullPath(Path.Combine(PathUtil.AsDirectory(contextRoot), relative.Replace('/', Path.DirectorySeparatorChar)));
    }
}
