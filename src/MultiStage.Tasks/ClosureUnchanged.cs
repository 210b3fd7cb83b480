using Microsoft.Build.Framework;
using MultiStage.Incrementality;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>
/// Whether the ProjectReference closure the last generation evaluated still holds (<see cref="ClosureCache"/>): every
/// project file, import (restore's nuget.g.props and .targets among them), Directory.* file and watched folder as it
/// was then. Read in the restore that runs before the headline command, which it makes unnecessary when true.
/// </summary>
public sealed class ClosureUnchanged : Task
{
    /// <summary>
    /// Global properties of the restore's build only: MSBuild's -restore adds the first three, the .NET CLI the others
    /// (as -restoreProperty, to make the restore's evaluation cheaper). The generation that follows runs without them;
    /// given on the command line for the whole build, they are in its key, this one misses, and NuGet's restore runs.
    /// </summary>
    private static readonly string[] RestoreOnly =
    {
        "MSBuildRestoreSessionId", "MSBuildIsRestoring", "ExcludeRestorePackageImports",
        "EnableDefaultCompileItems", "EnableDefaultEmbeddedResourceItems", "EnableDefaultNoneItems",
    };

    [Required]
    public string ProjectPath { get; set; } = "";

    /// <summary>The closure cache of <see cref="GenerateDockerfile"/>; empty: never unchanged.</summary>
    public string ClosureCacheFile { get; set; } = "";

    /// <summary>
    /// Restore's output for the project: a closure cache written by a generation that ran without any restore (a
    /// clean clone built with --no-restore) holds without it, and must not stand for one.
    /// </summary>
    public string ProjectAssetsFile { get; set; } = "";

    [Output]
    public bool Unchanged { get; private set; }

    public override bool Execute()
    {
        if (ClosureCacheFile.Length > 0 && ProjectAssetsFile.Length > 0 && File.Exists(ProjectAssetsFile))
        {
            var projectPath = Path.GetFullPath(ProjectPath);
            var properties = ClosureKeys.GlobalPropertiesForGraph(BuildEngine);
            foreach (var name in RestoreOnly)
            {
                properties.Remove(name);
            }

            var key = ClosureKeys.ClosureKey(projectPath, properties);
            Unchanged = ClosureCache.TryRead(Path.GetFullPath(ClosureCacheFile), key) is not null;
        }

        return true;
    }
}
