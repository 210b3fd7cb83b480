using System.Globalization;
using MultiStage.Engine.BuildKit;
using MultiStage.Logging;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// Shows BuildKit progress as <c>docker build --progress=plain</c> does: "#N name" when step N starts, then
/// "#N &lt;output line&gt;" (detailed verbosity), "#N CACHED", "#N DONE 1.2s" or "#N ERROR: …". Keeps the first
/// failed step with its last lines for the error.
/// </summary>
internal sealed class BuildKitStepRenderer(ILog log, BuildKitProgress progress, BuildDiagnostics? diagnostics = null)
{
    private readonly Dictionary<string, Step> _steps = new(StringComparer.Ordinal);

    /// <summary>The first step that failed; null while none has.</summary>
    public Step? FailedStep { get; private set; }

    /// <summary>Decodes and shows one trace message (the base64 "aux" of a "moby.buildkit.trace" message).</summary>
    public void FeedTrace(string base64)
    {
        IReadOnlyList<BuildStepEvent> events;
        try
        {
            events = progress.ApplyTrace(base64);
        }
        catch (FormatException ex)
        {
            // Progress that cannot be decoded only costs the display; the result and the error come from other messages.
            log.Info($"Unreadable BuildKit progress message skipped: {ex.Message}", Verbosity.Detailed);
            return;
        }

        Apply(events);
    }

    /// <summary>Shows what the decoder still holds back.</summary>
    public void Flush() => Apply(progress.Flush());

    private void Apply(IEnumerable<BuildStepEvent> events)
    {
        foreach (var stepEvent in events)
        {
            var step = GetStep(stepEvent);
            switch (stepEvent)
            {
                case BuildStepStarted:
                    if (!step.Started)
                    {
                        step.Started = true;
                        log.Info($"#{stepEvent.Step} {step.Name}", Verbosity.Normal);
                    }

                    break;
                case BuildStepCached:
                    if (!step.Done)
                    {
                        step.Done = true;
                        log.Info($"#{stepEvent.Step} CACHED", Verbosity.Normal);
                    }

                    break;
                case BuildStepCompleted completed:
                    if (!step.Done)
                    {
                        step.Done = true;
                        log.Info(string.Create(CultureInfo.InvariantCulture, $"#{stepEvent.Step} DONE {completed.Duration.TotalSeconds:0.0}s"), Verbosity.Normal);
                    }

                    break;
                case BuildStepFailed { Canceled: true }:
                    log.Info($"#{stepEvent.Step} CANCELED", Verbosity.Detailed);
                    break;
                case BuildStepFailed failed:
                    step.Error = failed.Error;
                    FailedStep ??= step;
                    log.Info($"#{stepEvent.Step} ERROR: {failed.Error}", Verbosity.Normal);
                    break;
                case BuildStepLog output:
                    var text = AnsiText.Strip(output.Line).TrimEnd('\r');
                    step.Lines.Add(text, output.Stream == BuildLogStream.Stderr);
                    diagnostics?.AddLine(text);
                    log.Info($"#{stepEvent.Step} {text}", Verbosity.Detailed);
                    break;
                case BuildStepWarning warning:
                    log.Info($"#{stepEvent.Step} WARNING: {warning.Message}", Verbosity.Normal);
                    break;
            }
        }
    }

    private Step GetStep(BuildStepEvent stepEvent)
    {
        if (!_steps.TryGetValue(stepEvent.Digest, out var step))
        {
            step = new Step();
            _steps.Add(stepEvent.Digest, step);
        }

        // The name can arrive after the first event of a step.
        if (stepEvent.Name.Length > 0)
        {
            step.Name = stepEvent.Name;
        }

        return step;
    }

    /// <summary>What is shown and kept of one BuildKit step.</summary>
    internal sealed class Step
    {
        public string Name { get; set; } = string.Empty;

        public bool Started { get; set; }

        public bool Done { get; set; }

        public string? Error { get; set; }

        public OutputTail Lines { get; } = new();
    }
}
