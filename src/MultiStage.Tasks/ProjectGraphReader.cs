using Microsoft.Build.Evaluation;
using Microsoft.Build.Exceptions;
using Microsoft.Build.Execution;
using Microsoft.Build.Graph;
using MultiStage.Diagnostics;
using MultiStage.Inputs;
using MultiStage.Model;

namespace MultiStage.Tasks;

/// <summary>Evaluates the ProjectReference closure with MSBuild's project graph, so restore inputs are known, not guessed.</summary>
internal static class ProjectGraphReader
{
    private static readonly string[] SourceItemTypes = { "Compile", "Content", "EmbeddedResource", "None", "AdditionalFiles", "Page", "Resource", "ApplicationDefinition" };

    public static IReadOnlyList<ProjectNode> ReadClosure(string entryProject, IDictionary<string, string> globalProperties)
    {
        using var collection = new ProjectCollection(globalProperties);
        ProjectGraph graph;
        try
        {
            graph = new ProjectGraph(new[] { new ProjectGraphEntryPoint(entryProject, globalProperties) }, collection, projectInstanceFactory: null);
        }
        catch (AggregateException e)
        {
            // The graph evaluates projects in parallel and wraps what fails: the user needs the project errors themselves.
            throw new InvalidProjectFileException(ExceptionMessages.Of(e), e);
        }

        // Multi-targeted projects appear once per framework (and once for the outer build): merge by path.
        return graph.ProjectNodes
            .GroupBy(n => n.ProjectInstance.FullPath, StringComparer.Ordinal)
            .Select(group => new ProjectNode
            {
                ProjectPath = group.Key,
                References = group.SelectMany(n => n.ProjectReferences).Select(r => r.ProjectInstance.FullPath)
                    .Where(p => !string.Equals(p, group.Key, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList(),
                Imports = group.SelectMany(n => n.ProjectInstance.ImportPaths).Distinct(StringComparer.Ordinal).ToList(),
                SourceFiles = group.SelectMany(n => Sources(n.ProjectInstance)).Distinct(StringComparer.Ordinal).ToList(),
                ReadFiles = group.SelectMany(n => ReadFiles(n.ProjectInstance)).GroupBy(r => r.Path, StringComparer.Ordinal)
                    .Select(g => g.OrderByDescending(r => r.Required).First()).OrderBy(r => r.Path, StringComparer.Ordinal).ToList(),
                LockFile = group.Select(n => LockFile(n.ProjectInstance)).FirstOrDefault(f => f is not null),
                OutputDirectories = group.SelectMany(n => OutputDirectories(n.ProjectInstance)).Distinct(StringComparer.Ordinal).ToList(),
            })
            .OrderBy(n => n.ProjectPath, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<string> Sources(ProjectInstance project) =>
        SourceItemTypes.SelectMany(project.GetItems)
            .Select(item => Path.GetFullPath(Path.Combine(project.Directory, item.EvaluatedInclude)));

    /// <summary>
    /// Every file the evaluation names through an item or a property. Properties from the environment and global
    /// properties are the machine's, not the project's: left out.
    /// </summary>
    private static IEnumerable<BuildRead> ReadFiles(ProjectInstance project)
    {
        var properties = project.Properties
            .Where(p => !project.GlobalProperties.ContainsKey(p.Name) && System.Environment.GetEnvironmentVariable(p.Name) != p.EvaluatedValue)
            .Select(p => new KeyValuePair<string, string>(p.Name, p.EvaluatedValue));
        var items = project.Items.Select(i => (i.ItemType, i.EvaluatedInclude, (Func<string, string>)i.GetMetadataValue));
        return FileReferences.FromProperties(project.FullPath, properties).Concat(FileReferences.FromItems(project.FullPath, items));
    }

    private static string? LockFile(ProjectInstance project)
    {
        var path = project.GetPropertyValue("NuGetLockFilePath");
        path = path.Length > 0 ? Path.Combine(project.Directory, path) : Path.Combine(project.Directory, "packages.lock.json");
        return File.Exists(path) ? Path.GetFullPath(path) : null;
    }

    private static IEnumerable<string> OutputDirectories(ProjectInstance project)
    {
        foreach (var property in new[] { "BaseIntermediateOutputPath", "BaseOutputPath", "MSBuildProjectExtensionsPath", "PublishDir" })
        {
            var value = project.GetPropertyValue(property);
            if (value.Length > 0)
            {
                yield return Path.GetFullPath(Path.Combine(project.Directory, value));
            }
        }

        // The folder the image archive is saved to is an output too: in the project's folder, the archive would
        // otherwise be copied into the next build and change its Dockerfile. One saved at the project's root is not
        // covered (the root is no output folder); the image build leaves it out of the context it sends.
        if (ArchiveFolder(project) is { } archiveFolder)
        {
            yield return archiveFolder;
        }

        if (string.Equals(project.GetPropertyValue("UseArtifactsOutput"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var artifacts = project.GetPropertyValue("ArtifactsPath");
            if (artifacts.Length > 0)
            {
                yield return Path.GetFullPath(Path.Combine(project.Directory, artifacts));
            }
        }
    }

    /// <summary>The folder ContainerArchiveOutputPath saves into, unless it is the project's own; null when unset or no path.</summary>
    private static string? ArchiveFolder(ProjectInstance project)
    {
        var archive = project.GetPropertyValue("ContainerArchiveOutputPath");
        if (archive.Trim().Length == 0 || archive.IndexOf('\0') >= 0)
        {
            return null;
        }

        try
        {
            var full = Path.GetFullPath(Path.Combine(project.Directory, archive));
            var folder = archive.EndsWith("/", StringComparison.Ordinal) || archive.EndsWith("\\", StringComparison.Ordinal) || Directory.Exists(full) ? full : Path.GetDirectoryName(full);
            char[] separators = ['/', '\\'];
            return folder is not null && !string.Equals(folder.TrimEnd(separators), project.Directory.TrimEnd(separators), StringComparison.Ordinal) ? folder : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            // No path: the image build reports it (MSTAGE243).
            return null;
        }
    }
}
