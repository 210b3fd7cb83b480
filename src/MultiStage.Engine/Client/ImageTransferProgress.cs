using System.Text.Json;
using Docker.DotNet.Models;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>Collects a push or pull stream synchronously and in order (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed partial class ImageTransferProgress(ILog log) : IProgress<JSONMessage>
{
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public string? Error { get; private set; }

    public string? Digest { get; private set; }

    public long Size { get; private set; }

    public void Report(JSONMessage value)
    {
        if (value.Error is { Message.Length: > 0 } error)
        {
            Error ??= error.Message;
        }

        if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("Digest", out var digest))
        {
            Digest = digest is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() : digest?.ToString();
            if (aux.TryGetValue("Size", out var size) && size is JsonElement { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var bytes))
            {
                Size = bytes;
            }
        }

        // Podman reports the pushed manifest only in the status text, as the docker CLI prints it: "1: digest: sha256:… size: 528".
        if (Digest is null && value.Status is { } status && StatusDigest().Match(status) is { Success: true } match)
        {
            Digest = match.Groups["digest"].Value;
            if (match.Groups["size"].Success && long.TryParse(match.Groups["size"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var statusSize))
            {
                Size = statusSize;
            }
        }

        if (!string.IsNullOrEmpty(value.Status))
        {
            var line = string.IsNullOrEmpty(value.ID) ? value.Status : $"{value.ID}: {value.Status}";
            if (value.Progress is null || value.Progress.Total == 0 || value.Progress.Current == 0)
            {
                if (_shown.Add(line))
                {
                    log.Info(line, Verbosity.Detailed);
                }
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(^|\s)digest: (?<digest>sha256:[0-9a-f]{64})(\s+size: (?<size>\d+))?")]
    private static partial System.Text.RegularExpressions.Regex StatusDigest();
}
