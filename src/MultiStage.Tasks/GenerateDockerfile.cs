using System.Globalization;
using System.Reflection;
using Microsoft.Build.Exceptions;
using Microsoft.Build.Framework;
using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.Incrementality;
using MultiStage.Inference;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Tasks;

/// <summary>Writes the Dockerfile, the .dockerignore and the vendored SDK package for one project.</summary>
public sealed partial class GenerateDockerfile
{
    public override bool Execute()
    {
        var log = new TaskLog(Log, ProjectPath, ProjectPath);
        var projectPath = Path.GetFullPath(ProjectPath);
        // The inner loop copies the host's publish output: it needs no restore inputs, so no graph.
        var properties = InnerLoopDirectory.Length > 0 ? null : ClosureKeys.GlobalPropertiesForGraph(BuildEngine);
        var outputs = new CachedGeneration { ClosureCacheFile = ClosureCacheFile, GenerationStampFile = GenerationStampFile, CheckOnly = CheckOnly }.Run(
            properties is null ? "" : ClosureKeys.ClosureKey(projectPath, properties),
            StampParameters(),
            properties is null ? null : () => EvaluateClosure(projectPath, properties, log),
            (closure, runLog) => Generate(projectPath, closure, runLog),
            log);
        if (outputs is null || log.HasErrors)
        {
            return false;
        }

        GeneratedDockerfile = outputs.Dockerfile;
        GeneratedContextRoot = outputs.ContextRoot;
        GeneratedClassicDockerfile = outputs.ClassicDockerfile;
        ImageRepository = outputs.Repository;
        ImageTags = outputs.Tags.ToArray();
        RuntimeImage = outputs.RuntimeImage;
        BaseImages = outputs.BaseImages.ToArray();
        DependencyImage = outputs.DependencyImage;
        DependencyDockerfile = outputs.DependencyDockerfile;
        return true;
    }

    private GenerationResult? Generate(string projectPath, IReadOnlyList<ProjectNode> closure, ILog log)
    {
        var project = Facts(projectPath, closure, out var gitProbes);
        var result = InnerLoopDirectory.Length > 0
            ? Generator.GenerateInnerLoop(project, UserSettings(), InnerLoopDirectory, log)
            : Generator.Generate(project, UserSettings(), ExternalRootPaths(), CheckOnly, log, ClassicDockerfilePath.Length > 0 ? ClassicDockerfilePath : null);
        if (result is null)
        {
            return null;
        }

        UserDockerIgnoreCheck.Warn(result, log);
        ShellLessImageChecks.NoteDefault(result, log);
        // Where the repository root was looked for is an input of the generation too.
        return result with { Inputs = result.Inputs.Concat(gitProbes.Select(p => (PathStampKind.Entry, p))).ToList() };
    }

    /// <summary>
    /// What a generation depends on besides files and the closure: this task's build and every parameter of this task
    /// (found by reflection, so a parameter added later is never left out). Read only when a stamp is used.
    /// </summary>
    private IEnumerable<string> StampParameters()
    {
        yield return typeof(GenerateDockerfile).Assembly.ManifestModule.ModuleVersionId.ToString();
        // Whether a source has credentials shapes the restore step, and NuGet's variables can supply them: their names
        // are an input (their values never are, nor do they reach the stamp).
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => n.StartsWith(NuGet.NuGetCredentials.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(n => n, StringComparer.Ordinal))
        {
            yield return "env:" + Framed(name);
        }

        foreach (var property in typeof(GenerateDockerfile).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.CanWrite && p.GetCustomAttribute<OutputAttribute>() is null)
            .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var value = property.GetValue(this);
            if (value is ITaskItem[] items)
            {
                yield return property.Name + "#" + items.Length.ToString(CultureInfo.InvariantCulture);
                foreach (var item in items)
                {
                    // Custom metadata only: the well-known ones include file times that change without any edit.
                    var metadata = item.CloneCustomMetadata();
                    var names = metadata.Keys.Cast<string>().OrderBy(n => n, StringComparer.Ordinal).ToList();
                    yield return Framed(item.ItemSpec) + string.Concat(names.Select(n => Framed(n) + Framed((string?)metadata[n] ?? "")));
                }
            }
            else
            {
                yield return property.Name + "=" + Framed(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            }
        }
    }

    /// <summary>Length-prefixed, so no value can imitate the separators around it.</summary>
    private static string Framed(string value) => value.Length.ToString(CultureInfo.InvariantCulture) + ":" + value;

    /// <summary>The ProjectReference closure from a fresh graph evaluation; null (logged) when MSBuild cannot evaluate it.</summary>
    private static IReadOnlyList<ProjectNode>? EvaluateClosure(string projectPath, IDictionary<string, string> properties, ILog log)
    {
        try
        {
            return ProjectGraphReader.ReadClosure(projectPath, properties);
        }
        catch (Exception e) when (e is InvalidProjectFileException or AggregateException or IOException)
        {
            log.Error(ErrorCodes.ProjectEvaluationFailed, $"Could not evaluate the ProjectReference closure of {Path.GetFileName(projectPath)}: {e.Message}");
            return null;
        }
    }
}
