namespace MultiStage.Logging;

/// <summary>How the library reports to its host (an MSBuild task, a test, a tool).</summary>
public interface ILog
{
    /// <summary>An error with a documented code (MSxxxx); the operation fails.</summary>
    void Error(string code, string message, string? file = null);

    /// <summary>A warning with a documented code.</summary>
    void Warning(string code, string message, string? file = null);

    /// <summary>A progress or summary line.</summary>
    void Info(string message, Verbosity verbosity = Verbosity.Normal);
}

/// <summary>How much the user asked to see.</summary>
public enum Verbosity
{
    Minimal,
    Normal,
    Detailed,

    /// <summary>
    /// The one line an operation ends with (the Dockerfile written, the image built): shown at every verbosity. An
    /// MSBuild host shows it as "Project -> …", the form .NET's terminal logger puts on the project's result line.
    /// </summary>
    Summary,
}
