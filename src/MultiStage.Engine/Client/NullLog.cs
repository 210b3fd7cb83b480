using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>A log that drops everything: for parsing whose progress nobody watches (warm-up, error mapping).</summary>
internal sealed class NullLog : ILog
{
    public static readonly NullLog Instance = new();

    public void Error(string code, string message, string? file = null)
    {
    }

    public void Warning(string code, string message, string? file = null)
    {
    }

    public void Info(string message, Verbosity verbosity = Verbosity.Normal)
    {
    }
}
