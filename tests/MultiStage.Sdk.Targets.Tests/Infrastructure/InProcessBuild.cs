using System.Text;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.Build.Logging;

namespace MultiStage.Sdk.Targets.Tests.Infrastructure;

/// <summary>What one in-process build did: its result per target and its log at two verbosities.</summary>
internal sealed record BuildOutcome(bool Succeeded, IReadOnlyDictionary<string, string> Targets, string Output, string DetailedOutput)
{
    public BuildOutcome EnsureSuccess()
    {
        Assert.IsTrue(Succeeded, "the build failed:\n" + Output);
        return this;
    }
}

/// <summary>
/// Evaluates and builds projects in this process with the located MSBuild, the task assembly under test in
/// MultiStageTasksAssembly. One node and no node reuse: nothing outlives a build.
/// </summary>
internal static class InProcessBuild
{
    public static BuildOutcome Run(string projectPath, string target, params string[] properties) =>
        Run(projectPath, new[] { target }, Globals(properties), BuildRequestDataFlags.None);

    /// <summary>A build that leaves MultiStageTasksAssembly to the project and the SDK's default, as outside these tests.</summary>
    public static BuildOutcome RunAsPackaged(string projectPath, string target, params string[] properties) =>
        Run(projectPath, new[] { target }, Globals(properties, builtTasks: false), BuildRequestDataFlags.None);

    /// <summary>What dotnet build's -restore does first: the Restore target in a separate build that keeps no caches.</summary>
    public static BuildOutcome Restore(string projectPath, params string[] properties)
    {
        var globals = Globals(properties);
        globals["MSBuildRestoreSessionId"] = Guid.NewGuid().ToString("D");
        globals["ExcludeRestorePackageImports"] = "true";
        return Run(projectPath, new[] { "Restore" }, globals, BuildRequestDataFlags.SkipNonexistentTargets | BuildRequestDataFlags.IgnoreMissingEmptyAndInvalidImports).EnsureSuccess();
    }

    /// <summary>An evaluated property of the project, as -getProperty shows it.</summary>
    public static string Property(string projectPath, string name, params string[] properties) => Property(projectPath, name, Globals(properties));

    /// <summary>An evaluated property with MultiStageTasksAssembly left to the project and the SDK's default.</summary>
    public static string PropertyAsPackaged(string projectPath, string name, params string[] properties) => Property(projectPath, name, Globals(properties, builtTasks: false));

    private static string Property(string projectPath, string name, Dictionary<string, string> globals)
    {
        using var collection = new ProjectCollection(globals);
        return collection.LoadProject(projectPath).GetPropertyValue(name);
    }

    private static BuildOutcome Run(string projectPath, string[] targets, Dictionary<string, string> globals, BuildRequestDataFlags flags)
    {
        // MSBuild's console logger, writing to memory: the test framework lists this assembly's types before any test
        // runs, and a type of its own implementing ILogger would load MSBuild before the locator can point at it.
        var output = new StringBuilder();
        var detailed = new StringBuilder();
        using var collection = new ProjectCollection(globals);
        var parameters = new BuildParameters(collection)
        {
            Loggers = new ILogger[] { TextLogger(LoggerVerbosity.Normal, output), TextLogger(LoggerVerbosity.Detailed, detailed) },
            MaxNodeCount = 1,
            EnableNodeReuse = false,
        };
        var request = new BuildRequestData(projectPath, globals, null, targets, null, flags | BuildRequestDataFlags.ClearCachesAfterBuild);
        var result = BuildManager.DefaultBuildManager.Build(parameters, request);
        var byTarget = result.ResultsByTarget.ToDictionary(p => p.Key, p => p.Value.ResultCode.ToString(), StringComparer.OrdinalIgnoreCase);
        return new BuildOutcome(result.OverallResult == BuildResultCode.Success, byTarget, output.ToString(), detailed.ToString());
    }

    private static ConsoleLogger TextLogger(LoggerVerbosity verbosity, StringBuilder text) =>
        new(verbosity, s => text.Append(s), _ => { }, () => { }) { Parameters = "NoSummary;ForceNoAlign" };

    /// <summary>"Name=Value" pairs over the properties every test build gets.</summary>
    private static Dictionary<string, string> Globals(string[] properties, bool builtTasks = true)
    {
        var globals = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (builtTasks)
        {
            globals["MultiStageTasksAssembly"] = TestEnvironment.TasksAssembly;
        }

        foreach (var pair in properties)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            globals[pair.Substring(0, equals)] = pair.Substring(equals + 1);
        }

        return globals;
    }
}
