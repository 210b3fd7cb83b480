using System.Collections;
using Microsoft.Build.Framework;
using Microsoft.Build.Logging.StructuredLogger;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>
/// What a build read, as its binlog records it: the files the compiler was given (the Csc task's file inputs) and the
/// project files MSBuild loaded (each project and every import), all as full paths.
/// </summary>
internal sealed record HostBuildReads(IReadOnlySet<string> CompilerInputs, IReadOnlySet<string> ProjectFiles)
{
    /// <summary>Csc's parameters that name files it reads.</summary>
    private static readonly HashSet<string> CompilerFileParameters = new(StringComparer.Ordinal)
    {
        "Sources", "References", "AdditionalFiles", "AnalyzerConfigFiles", "Resources", "LinkResources", "AddModules",
        "KeyFile", "Win32Icon", "Win32Manifest", "Win32Resource", "EmbeddedFiles", "SourceLink", "RuleSetFile",
    };

    public IEnumerable<string> All => CompilerInputs.Concat(ProjectFiles);

    public static HostBuildReads From(string binlog)
    {
        var tasks = new Dictionary<(int, int, int), (string Name, string ProjectDirectory)>();
        var compiler = new SortedSet<string>(StringComparer.Ordinal);
        var projects = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var record in new BinLogReader().ReadRecords(binlog))
        {
            switch (record.Args)
            {
                case ProjectStartedEventArgs started when started.ProjectFile is { Length: > 0 } project:
                    projects.Add(Path.GetFullPath(project));
                    break;
                case ProjectImportedEventArgs imported when imported.ImportedProjectFile is { Length: > 0 } import:
                    projects.Add(Path.GetFullPath(import));
                    break;
                case TaskStartedEventArgs task when task.BuildEventContext is { } context:
                    tasks[Key(context)] = (task.TaskName, Path.GetDirectoryName(task.ProjectFile) ?? "");
                    break;
                case TaskParameterEventArgs { Kind: TaskParameterMessageKind.TaskInput } parameter
                    when parameter.BuildEventContext is { } context && tasks.TryGetValue(Key(context), out var owner) && owner.Name == "Csc"
                        && CompilerFileParameters.Contains(ParameterName(parameter)):
                    foreach (var value in Values(parameter.Items))
                    {
                        compiler.Add(Path.GetFullPath(value, owner.ProjectDirectory));
                    }

                    break;
            }
        }

        return new HostBuildReads(compiler, projects);
    }

    private static (int, int, int) Key(BuildEventContext context) => (context.NodeId, context.ProjectContextId, context.TaskId);

    // Binlogs before MSBuild 17.9 carry the parameter's name in ItemType only.
    private static string ParameterName(TaskParameterEventArgs parameter) =>
        parameter.GetType().GetProperties().FirstOrDefault(p => p.Name == "ParameterName" && p.DeclaringType == parameter.GetType())?.GetValue(parameter) as string
        ?? parameter.ParameterName
        ?? parameter.ItemType;

    private static IEnumerable<string> Values(IList? items) =>
        items?.Cast<object?>().Select(i => i is ITaskItem item ? item.ItemSpec : i?.ToString()).OfType<string>().Where(v => v.Length > 0)
        ?? Enumerable.Empty<string>();
}
