using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiStage.Engine.BuildKit;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>
/// Reads the JSON message stream of the Engine API <c>/build</c> call, logs progress the way <c>docker build</c>
/// shows it, and keeps what is needed for the result or the error: the image id, the current step and its last lines.
/// </summary>
internal sealed partial class BuildOutputParser
{
    /// <summary>How many output lines of a failing step the error shows.</summary>
    internal const int KeptLines = 12;

    private readonly ILog _log;
    private readonly BuildKitProgress? _buildKit;
    private readonly StringBuilder _pendingStream = new();
    private readonly OutputTail _classicLines = new();
    private readonly Dictionary<string, StepState> _steps = new(StringComparer.Ordinal);
    private readonly HashSet<string> _statusShown = new(StringComparer.Ordinal);
    private string? _classicStep;
    private bool _classicInStderr;
    private bool _classicStepHasImage;
    private StepState? _failedStep;

    /// <param name="log">Receives the progress.</param>
    /// <param name="buildKit">The decoder of BuildKit progress; null ignores BuildKit trace messages.</param>
    public BuildOutputParser(ILog log, BuildKitProgress? buildKit)
    {
        _log = log;
        _buildKit = buildKit;
    }

    /// <summary>The built image id, once the engine has reported it.</summary>
    public string? ImageId { get; private set; }

    /// <summary>The short id of "Successfully built ID" (classic builder, Podman), for engines that send no aux ID.</summary>
    public string? ShortImageId { get; private set; }

    /// <summary>The build error the engine reported, mapped to a code; null while none.</summary>
    public EngineException? Error { get; private set; }

    /// <summary>Whether any BuildKit progress arrived.</summary>
    public bool SawBuildKitTrace { get; private set; }

    // BuildKit progress is shown as `docker build --progress=plain` shows it: "#N name" when step N starts, then
    // "#N <output line>" (detailed verbosity), "#N CACHED", "#N DONE 1.2s" or "#N ERROR: …".

    /// <summary>Feeds one line of the response (one JSON message; blank lines are ignored).</summary>
    public void FeedLine(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy page, a truncated line): show it rather than fail on it.
            _log.Info(line.Trim(), Verbosity.Detailed);
            return;
        }

        using (document)
        {
            Feed(document.RootElement);
        }
    }

    /// <summary>Feeds one JSON message.</summary>
    public void Feed(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var id = GetString(message, "id");
        if (message.TryGetProperty("aux", out var aux))
        {
            if (id == BuildKitProgress.TraceMessageId && aux.ValueKind == JsonValueKind.String)
            {
                SawBuildKitTrace = true;
                FeedTrace(aux.GetString()!);
            }
            else if (aux.ValueKind == JsonValueKind.Object && GetString(aux, "ID") is { Length: > 0 } imageId)
            {
                ImageId = imageId;
            }
        }

        if (GetString(message, "stream") is { } text)
        {
            FeedStream(text);
        }

        if (GetString(message, "status") is { } status)
        {
            // Base image pulls of the classic builder: each layer's state once ("Downloading"), not every progress tick.
            var shown = id is null ? status : $"{id}: {status}";
            if (_statusShown.Add(shown))
            {
                _log.Info(shown, Verbosity.Detailed);
            }
        }

        if (message.TryGetProperty("errorDetail", out var errorDetail) && errorDetail.ValueKind == JsonValueKind.Object)
        {
            var errorMessage = GetString(errorDetail, "message") ?? GetString(message, "error") ?? "unknown error";
            int? code = errorDetail.TryGetProperty("code", out var codeElement) && codeElement.ValueKind == JsonValueKind.Number && codeElement.TryGetInt32(out var c) ? c : null;
            SetError(errorMessage, code);
        }
        else if (GetString(message, "error") is { Length: > 0 } error)
        {
            SetError(error, null);
        }
    }

    /// <summary>Flushes a last stream line that had no line break.</summary>
    public void Complete()
    {
        if (_buildKit is not null && SawBuildKitTrace)
        {
            Apply(_buildKit.Flush());
        }

        if (_pendingStream.Length > 0)
        {
            var rest = _pendingStream.ToString();
            _pendingStream.Clear();
            HandleClassicLine(rest);
        }
    }

    private void FeedStream(string text)
    {
        _pendingStream.Append(text);
        while (true)
        {
            var buffered = _pendingStream.ToString();
            var newline = buffered.IndexOf('\n');
            if (newline < 0)
            {
                return;
            }

            _pendingStream.Remove(0, newline + 1);
            HandleClassicLine(buffered[..newline]);
        }
    }

    private void HandleClassicLine(string rawLine)
    {
        // The classic builder marks stderr with colour codes: ESC[91m before, ESC[0m after (often on the next line).
        var isStderr = ClassifyColour(rawLine);
        var line = StripAnsi(rawLine).TrimEnd('\r');
        if (line.Length == 0)
        {
            return;
        }

        if (StepLine().IsMatch(line))
        {
            _classicStep = line;
            _classicStepHasImage = false;
            _classicLines.Clear();
            _log.Info(line, Verbosity.Normal);
            return;
        }

        if (line.StartsWith(" ---> ", StringComparison.Ordinal))
        {
            var rest = line[6..].Trim();
            if (rest == "Using cache")
            {
                _log.Info(" ---> Using cache", Verbosity.Normal);
            }
            else
            {
                if (!rest.StartsWith("Running in ", StringComparison.Ordinal) && !rest.StartsWith("[Warning]", StringComparison.Ordinal))
                {
                    _classicStepHasImage = true;
                }

                _log.Info(line, Verbosity.Detailed);
            }

            return;
        }

        if (line.StartsWith("Successfully built ", StringComparison.Ordinal))
        {
            ShortImageId = line["Successfully built ".Length..].Trim();
            _log.Info(line, Verbosity.Detailed);
            return;
        }

        if (line.StartsWith("Removing intermediate container ", StringComparison.Ordinal)
            || line.StartsWith("Successfully tagged ", StringComparison.Ordinal))
        {
            _log.Info(line, Verbosity.Detailed);
            return;
        }

        // Output of the step (RUN), or BuildKit's own text when the engine falls back to plain output.
        _classicLines.Add(line, isStderr);
        _log.Info("  " + line, Verbosity.Detailed);
    }

    private void FeedTrace(string base64)
    {
        if (_buildKit is null)
        {
            return;
        }

        IReadOnlyList<BuildStepEvent> events;
        try
        {
            events = _buildKit.ApplyTrace(base64);
        }
        catch (FormatException ex)
        {
            // Progress that cannot be decoded only costs the display; the result and the error come from other messages.
            _log.Info($"Unreadable BuildKit progress message skipped: {ex.Message}", Verbosity.Detailed);
            return;
        }

        Apply(events);
    }

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
                        _log.Info($"#{stepEvent.Step} {step.Name}", Verbosity.Normal);
                    }

                    break;
                case BuildStepCached:
                    if (!step.Done)
                    {
                        step.Done = true;
                        _log.Info($"#{stepEvent.Step} CACHED", Verbosity.Normal);
                    }

                    break;
                case BuildStepCompleted completed:
                    if (!step.Done)
                    {
                        step.Done = true;
                        _log.Info(string.Create(CultureInfo.InvariantCulture, $"#{stepEvent.Step} DONE {completed.Duration.TotalSeconds:0.0}s"), Verbosity.Normal);
                    }

                    break;
                case BuildStepFailed { Canceled: true }:
                    _log.Info($"#{stepEvent.Step} CANCELED", Verbosity.Detailed);
                    break;
                case BuildStepFailed failed:
                    step.Error = failed.Error;
                    _failedStep ??= step;
                    _log.Info($"#{stepEvent.Step} ERROR: {failed.Error}", Verbosity.Normal);
                    break;
                case BuildStepLog output:
                    var text = StripAnsi(output.Line).TrimEnd('\r');
                    step.Lines.Add(text, output.Stream == BuildLogStream.Stderr);
                    _log.Info($"#{stepEvent.Step} {text}", Verbosity.Detailed);
                    break;
                case BuildStepWarning warning:
                    _log.Info($"#{stepEvent.Step} WARNING: {warning.Message}", Verbosity.Normal);
                    break;
            }
        }
    }

    private StepState GetStep(BuildStepEvent stepEvent)
    {
        if (!_steps.TryGetValue(stepEvent.Digest, out var step))
        {
            step = new StepState();
            _steps.Add(stepEvent.Digest, step);
        }

        // The name can arrive after the first event of a step.
        if (stepEvent.Name.Length > 0)
        {
            step.Name = stepEvent.Name;
        }

        return step;
    }

    private void SetError(string message, int? code)
    {
        if (Error is not null)
        {
            return;
        }

        Complete();
        Error = _buildKit is not null || SawBuildKitTrace ? MapBuildKitError(message) : MapClassicError(message, code);
    }

    private EngineException MapClassicError(string message, int? code)
    {
        var match = ClassicExitCode().Match(message);
        if (match.Success)
        {
            var exitCode = code ?? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return StepFailure(_classicStep ?? "a RUN step", exitCode, _classicLines.Lines(), message);
        }

        if (IsDockerfileMissing(message))
        {
            return DockerfileMissing(message);
        }

        var inFromStep = _classicStep is not null && !_classicStepHasImage && ClassicFromStep().IsMatch(_classicStep);
        if (inFromStep || IsPullFailure(message))
        {
            return BaseImage(_classicStep, message);
        }

        return Failed(_classicStep, message, _classicLines.Lines());
    }

    private EngineException MapBuildKitError(string message)
    {
        var exit = BuildKitExitCode().Match(message);
        var failedStep = _failedStep;
        if (exit.Success)
        {
            var exitCode = int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture);
            var name = failedStep?.Name ?? CommandOf(message) ?? "a RUN step";
            return StepFailure(name, exitCode, failedStep?.Lines.Lines() ?? [], message);
        }

        if (IsDockerfileMissing(message))
        {
            return DockerfileMissing(message);
        }

        if (IsPullFailure(message) || (failedStep is not null && BuildKitFromStep().IsMatch(failedStep.Name)))
        {
            return BaseImage(failedStep?.Name, message);
        }

        return Failed(failedStep?.Name, message, failedStep?.Lines.Lines() ?? []);
    }

    private static EngineException StepFailure(string step, int exitCode, string[] lines, string engineMessage)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The Dockerfile step '{step}' failed with exit code {exitCode}.");
        if (lines.Length > 0)
        {
            text.Append(" Its last output lines:");
            foreach (var line in lines)
            {
                text.Append("\n    ").Append(line);
            }

            text.Append('\n');
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $" The engine said: {engineMessage}");
        }

        text.Append(" Fix the command or what it depends on, then build again; run with detailed verbosity to see all of its output.");
        return new EngineException(EngineErrorCodes.StepFailed, text.ToString())
        {
            Step = step,
            ExitCode = exitCode,
            LastOutputLines = lines,
        };
    }

    private static EngineException BaseImage(string? step, string message)
    {
        var where = step is null ? string.Empty : $" ({step})";
        return new EngineException(
            EngineErrorCodes.BaseImageUnavailable,
            $"A base image of the Dockerfile{where} cannot be pulled: {message}. Check the image name and tag, that the engine can reach its registry (proxy, DNS, network), and that the engine is logged in to it when it is private; or load the image into the engine beforehand.")
        {
            Step = step,
        };
    }

    private static EngineException DockerfileMissing(string message)
    {
        return new EngineException(
            EngineErrorCodes.DockerfileNotFound,
            $"The engine cannot find the Dockerfile in the build context: {message}. Check the Dockerfile path (relative to the context) and that .dockerignore does not exclude it.");
    }

    private static EngineException Failed(string? step, string message, string[] lines)
    {
        var where = step is null ? string.Empty : $" at '{step}'";
        var text = new StringBuilder($"The image build failed{where}: {message}.");
        if (lines.Length > 0)
        {
            text.Append(" Last output lines:");
            foreach (var line in lines)
            {
                text.Append("\n    ").Append(line);
            }

            text.Append('\n');
        }

        text.Append(" Fix the Dockerfile or the build context and build again.");
        return new EngineException(EngineErrorCodes.BuildFailed, text.ToString()) { Step = step, LastOutputLines = lines };
    }

    private static bool IsDockerfileMissing(string message) =>
        message.Contains("Cannot locate specified Dockerfile", StringComparison.OrdinalIgnoreCase)
        || message.Contains("failed to read dockerfile", StringComparison.OrdinalIgnoreCase)
        || message.Contains("the Dockerfile (", StringComparison.OrdinalIgnoreCase) && message.Contains("cannot be empty", StringComparison.OrdinalIgnoreCase);

    private static bool IsPullFailure(string message)
    {
        bool Has(string fragment) => message.Contains(fragment, StringComparison.OrdinalIgnoreCase);
        if (Has("dockerfile parse error"))
        {
            return false;
        }

        return Has("failed to resolve source metadata")
            || Has("pull access denied")
            || Has("manifest unknown")
            || (Has("manifest for ") && Has("not found"))
            || Has("repository does not exist")
            // BuildKit resolves the FROM images while it turns the Dockerfile into its build graph.
            || (Has("failed to create LLB definition") && (Has("failed to do request") || Has("not found") || Has("failed to authorize") || Has("unexpected status") || Has("no such host")));
    }

    private static string? CommandOf(string message)
    {
        var start = message.IndexOf('[');
        var end = message.LastIndexOf(']');
        return start >= 0 && end > start ? "RUN " + message[(start + 1)..end] : null;
    }

    /// <summary>Whether the line is stderr output, following the colour codes of the classic builder across lines.</summary>
    private bool ClassifyColour(string rawLine)
    {
        var state = _classicInStderr;
        bool? lineIsStderr = null;
        var index = 0;
        while (index < rawLine.Length)
        {
            if (rawLine[index] == '\u001b' && AnsiEscape().Match(rawLine, index) is { Success: true, Index: var at } match && at == index)
            {
                if (match.Value == "\u001b[91m")
                {
                    state = true;
                }
                else if (match.Value == "\u001b[0m")
                {
                    state = false;
                }

                index += match.Length;
                continue;
            }

            lineIsStderr ??= state;
            index++;
        }

        _classicInStderr = state;
        return lineIsStderr ?? state;
    }

    private static string StripAnsi(string text) => text.Contains('\u001b') ? AnsiEscape().Replace(text, string.Empty) : text;

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^Step \d+/\d+ : ")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^Step \d+/\d+ : FROM\s", RegexOptions.IgnoreCase)]
    private static partial Regex ClassicFromStep();

    [GeneratedRegex(@"^\[[^\]]*\]\s*FROM\s|load metadata for", RegexOptions.IgnoreCase)]
    private static partial Regex BuildKitFromStep();

    [GeneratedRegex(@"returned a non-zero code: (\d+)")]
    private static partial Regex ClassicExitCode();

    [GeneratedRegex(@"exit code: (\d+)")]
    private static partial Regex BuildKitExitCode();

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private sealed class StepState
    {
        public string Name { get; set; } = string.Empty;

        public bool Started { get; set; }

        public bool Done { get; set; }

        public string? Error { get; set; }

        public OutputTail Lines { get; } = new();
    }

    /// <summary>
    /// The last lines of a step. Builders do not keep stdout and stderr in order (the classic builder sends a
    /// command's stderr before its stdout), so the last stderr lines, usually the error itself, are kept even when
    /// more stdout followed them.
    /// </summary>
    private sealed class OutputTail
    {
        private const int KeptErrorLines = 5;
        private readonly Queue<(long Sequence, string Line)> _all = new();
        private readonly Queue<(long Sequence, string Line)> _errors = new();
        private long _sequence;

        public void Add(string line, bool isStderr)
        {
            var entry = (_sequence++, line);
            _all.Enqueue(entry);
            while (_all.Count > KeptLines)
            {
                _all.Dequeue();
            }

            if (isStderr)
            {
                _errors.Enqueue(entry);
                while (_errors.Count > KeptErrorLines)
                {
                    _errors.Dequeue();
                }
            }
        }

        public void Clear()
        {
            _all.Clear();
            _errors.Clear();
        }

        public string[] Lines()
        {
            var first = _all.Count == 0 ? long.MaxValue : _all.Peek().Sequence;
            return _errors.Where(e => e.Sequence < first).Concat(_all).Select(e => e.Line).ToArray();
        }
    }
}
