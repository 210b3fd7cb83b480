using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MultiStage.Logging;

namespace MultiStage.Tasks;

/// <summary>Sends the library's log to MSBuild, keeping the documented codes.</summary>
internal sealed class TaskLog : ILog
{
    private readonly TaskLoggingHelper _log;
    private readonly string _defaultFile;
    private readonly string? _projectName;

    /// <param name="log">The task's logging helper.</param>
    /// <param name="defaultFile">The file errors name when the library names none.</param>
    /// <param name="projectFile">The project the task runs in: summary lines are named by it.</param>
    public TaskLog(TaskLoggingHelper log, string defaultFile, string? projectFile = null)
    {
        _log = log;
        _defaultFile = defaultFile;
        _projectName = string.IsNullOrEmpty(projectFile) ? null : Path.GetFileNameWithoutExtension(projectFile);
    }

    public bool HasErrors { get; private set; }

    public void Error(string code, string message, string? file = null)
    {
        HasErrors = true;
        _log.LogError(null, code, null, file ?? _defaultFile, 0, 0, 0, 0, message);
    }

    public bool HasWarnings { get; private set; }

    public void Warning(string code, string message, string? file = null)
    {
        HasWarnings = true;
        _log.LogWarning(null, code, null, file ?? _defaultFile, 0, 0, 0, 0, message);
    }

    public void Info(string message, Verbosity verbosity = Verbosity.Normal)
    {
        if (verbosity == Verbosity.Summary)
        {
            // The terminal logger shows no message at its default verbosity, but takes a high-importance
            // "ProjectName -> text" (the line Publish ends with) to its project's result line: the summary goes there.
            _log.LogMessage(MessageImportance.High, _projectName is null ? message : $"{_projectName} -> {message}");
            return;
        }

        _log.LogMessage(verbosity switch
        {
            Verbosity.Minimal => MessageImportance.High,
            Verbosity.Normal => MessageImportance.Normal,
            _ => MessageImportance.Low,
        }, message);
    }
}
