using MultiStage.Logging;

namespace MultiStage.Core.Tests;

/// <summary>Collects what the library reports.</summary>
internal sealed class TestLog : ILog
{
    public List<(string Code, string Message)> Errors { get; } = new();
    public List<(string Code, string Message)> Warnings { get; } = new();
    public List<string> Messages { get; } = new();

    public void Error(string code, string message, string? file = null) => Errors.Add((code, message));

    public void Warning(string code, string message, string? file = null) => Warnings.Add((code, message));

    public void Info(string message, Verbosity verbosity = Verbosity.Normal) => Messages.Add(message);

    public string ErrorCodes => string.Join(",", Errors.Select(e => e.Code));
}
