using System.Text.Json;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.Client;
using MultiStage.Logging;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// Reads the JSON message stream of the Engine API <c>/build</c> call and keeps the result or the error. Each message
/// goes where it belongs: classic builder text to <see cref="ClassicBuildOutput"/>, BuildKit progress to
/// <see cref="BuildKitStepRenderer"/>, the final error to <see cref="BuildErrorClassifier"/>.
/// </summary>
internal sealed class BuildOutputParser
{
    /// <summary>How many output lines of a failing step the error shows.</summary>
    internal const int KeptLines = OutputTail.KeptLines;

    private readonly ILog _log;
    private readonly BuildKitStepRenderer? _buildKit;
    private readonly ClassicBuildOutput _classic;
    private readonly BuildahOutput? _buildah;
    private readonly HashSet<string> _statusShown = new(StringComparer.Ordinal);

    /// <param name="log">Receives the progress.</param>
    /// <param name="buildKit">The decoder of BuildKit progress; null ignores BuildKit trace messages.</param>
    /// <param name="buildah">The engine is Podman: its "stream" text is Buildah's.</param>
    public BuildOutputParser(ILog log, BuildKitProgress? buildKit, bool buildah = false)
    {
        _log = log;
        _buildKit = buildKit is null ? null : new BuildKitStepRenderer(log, buildKit, Diagnostics);
        _classic = new ClassicBuildOutput(log, Diagnostics);
        _buildah = buildah ? new BuildahOutput(log) { LineReceived = Diagnostics.AddLine } : null;
    }

    /// <summary>Buildah's output, when the engine is Podman: its step events and raw lines.</summary>
    public BuildahOutput? Buildah => _buildah;

    /// <summary>The built image id, once the engine has reported it.</summary>
    public string? ImageId { get; private set; }

    /// <summary>The short id of "Successfully built ID" (classic builder, Podman), for engines that send no aux ID.</summary>
    public string? ShortImageId => _buildah?.ShortImageId ?? _classic.ShortImageId;

    /// <summary>The build error the engine reported, mapped to a code; null while none.</summary>
    public EngineException? Error { get; private set; }

    /// <summary>The compiler, MSBuild and NuGet errors and warnings the build's steps printed.</summary>
    public BuildDiagnostics Diagnostics { get; } = new();

    /// <summary>Whether any BuildKit progress arrived.</summary>
    public bool SawBuildKitTrace { get; private set; }

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
                _buildKit?.FeedTrace(aux.GetString()!);
            }
            else if (aux.ValueKind == JsonValueKind.Object && GetString(aux, "ID") is { Length: > 0 } imageId)
            {
                ImageId = imageId;
            }
        }

        if (GetString(message, "stream") is { } text)
        {
            if (_buildah is not null)
            {
                _buildah.Feed(text);
            }
            else
            {
                _classic.Feed(text);
            }
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

    /// <summary>Shows what is still held back: BuildKit progress not yet complete, a last stream line without a line break.</summary>
    public void Complete()
    {
        if (_buildKit is not null && SawBuildKitTrace)
        {
            _buildKit.Flush();
        }

        _classic.Flush();
        _buildah?.Flush();
    }

    private void SetError(string message, int? code)
    {
        if (Error is not null)
        {
            return;
        }

        _buildah?.Fail(message);
        Complete();
        var error = _buildah is not null ? BuildErrorClassifier.Buildah(message, _buildah)
            : _buildKit is not null || SawBuildKitTrace ? BuildErrorClassifier.BuildKit(message, _buildKit?.FailedStep)
            : BuildErrorClassifier.Classic(message, code, _classic);
        // A cause with its own fix (network, disk, platform, login) comes first; build errors the step printed in
        // MSBuild's format are then reported each at its source line, with one error that counts them.
        var refined = FailureCauses.Refine(error, message);
        var summarized = BuildStageFailure.FromDiagnostics(error, Diagnostics);
        Error = summarized.Code == EngineErrorCodes.BuildStageErrors && (ReferenceEquals(refined, error) || refined.Code == EngineErrorCodes.BuildStageCompileFailed)
            ? summarized
            : refined;
        if (Error.Diagnostics.Count == 0)
        {
            Error.Diagnostics = Diagnostics.All;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
