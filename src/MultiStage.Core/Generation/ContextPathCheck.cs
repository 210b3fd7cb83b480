using MultiStage.Diagnostics;
using MultiStage.IO;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// The paths of the build context that the Dockerfile names come from the project graph, not from a property: each
/// is checked here, so an error names the path and the character instead of the instruction it would have broken.
/// </summary>
internal static class ContextPathCheck
{
    /// <summary>True when every path can be written into the Dockerfile and the entry project passed to dotnet; errors logged.</summary>
    public static bool Check(ContextLayout layout, ILog log)
    {
        foreach (var path in layout.RestoreInputs.Concat(layout.SourceFolders).Concat(layout.OtherFiles).Append(layout.EntryProject))
        {
            if (path.Any(CharacterNames.IsUnprintable))
            {
                log.Error(ErrorCodes.UnrepresentableValue, $"The path \"{CharacterNames.Escape(path)}\" in the build context {CharacterNames.Escape(layout.Root)} contains {CharacterNames.Describe(path.First(CharacterNames.IsUnprintable))}, which a Dockerfile line cannot hold. Rename the file or folder.");
                return false;
            }
        }

        // MSBuild's command line strips double quotes from the project argument, whatever the shell's quoting, and
        // then finds no project (MSB1009); inside MSBuild a quote is an ordinary character, so only the entry project matters.
        if (layout.EntryProject.Contains('"'))
        {
            log.Error(ErrorCodes.UnbuildableProjectPath, $"The project path '{layout.EntryProject}' contains '\"': dotnet publish in the build stage cannot be given it (MSBuild drops the quote and reports MSB1009). Rename the project file or folder.");
            return false;
        }

        return true;
    }

    /// <summary>
    /// True when every ContainerFile is a file of the build context the runtime stage can COPY: one the project's
    /// evaluation names inside the context (never in an output folder, which the .dockerignore leaves out). Errors logged.
    /// </summary>
    public static bool ContainerFilesInContext(ResolvedSettings settings, ContextLayout layout, ILog log)
    {
        foreach (var file in settings.Files)
        {
            if (!PathUtil.IsUnder(file.Source, layout.Root) || !layout.ReadFiles.Contains(PathUtil.Relative(layout.Root, file.Source), StringComparer.Ordinal))
            {
                log.Error(ErrorCodes.InvalidContainerFile, $"ContainerFile '{file.Source}' is not in the build context {layout.Root}: it lies outside the repository or in a build output folder. Keep the file in the repository, beside the project's sources.");
                return false;
            }
        }

        return true;
    }
}
