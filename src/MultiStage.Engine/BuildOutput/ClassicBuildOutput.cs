using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Logging;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// The "stream" text of the classic builder ("Step 2/5 : RUN …", " ---> abc123", the commands' output), logged as
/// <c>docker build</c> shows it; keeps the current step and its last lines for the error.
/// </summary>
internal sealed partial class ClassicBuildOutput(ILog log, BuildDiagnostics? diagnostics = null)
{
    private LineBuffer? _lineBuffer;
    private bool _inStderr;

    /// <summary>The current "Step N/M : …" line; null before the first.</summary>
    public string? Step { get; private set; }

    /// <summary>Whether the current step has produced an image (so it got past pulling its base image).</summary>
    public bool StepHasImage { get; private set; }

    /// <summary>The last output lines of the current step.</summary>
    public OutputTail Lines { get; } = new();

    /// <summary>The short id of "Successfully built ID" (classic builder, Podman), for engines that send no aux ID.</summary>
    public string? ShortImageId { get; private set; }

    /// <summary>Feeds a piece of the stream; lines are handled as their line breaks arrive.</summary>
    public void Feed(string text) => LineSplitter.Feed(text);

    private LineBuffer LineSplitter => _lineBuffer ??= new LineBuffer(HandleLine);

    /// <summary>Handles a last line that had no line break.</summary>
    public void Flush()
    {
        LineSplitter.Flush();
    }

    private void HandleLine(string rawLine)
    {
        // The classic builder marks stderr with colour codes: ESC[91m before, ESC[0m after (often on the next line).
        var isStderr = ClassifyColour(rawLine);
        var line = AnsiText.Strip(rawLine).TrimEnd('\r');
        if (line.Length == 0)
        {
            return;
        }

        if (StepLine().IsMatch(line))
        {
            Step = line;
            StepHasImage = false;
            Lines.Clear();
            log.Info(line, Verbosity.Normal);
            return;
        }

        if (line.StartsWith(" ---> ", StringComparison.Ordinal))
        {
            var rest = line[6..].Trim();
            if (rest == "Using cache")
            {
                log.Info(" ---> Using cache", Verbosity.Normal);
            }
            else
            {
                if (!rest.StartsWith("Running in ", StringComparison.Ordinal) && !rest.StartsWith("[Warning]", StringComparison.Ordinal))
                {
                    StepHasImage = true;
                }

                log.Info(line, Verbosity.Detailed);
            }

            return;
        }

        if (line.StartsWith("Successfully built ", StringComparison.Ordinal))
        {
            ShortImageId = line["Successfully built ".Length..].Trim();
            log.Info(line, Verbosity.Detailed);
            return;
        }

        if (line.StartsWith("Removing intermediate container ", StringComparison.Ordinal)
            || line.StartsWith("Successfully tagged ", StringComparison.Ordinal))
        {
            log.Info(line, Verbosity.Detailed);
            return;
        }

        // Output of the step (RUN), or BuildKit's own text when the engine falls back to plain output.
        Lines.Add(line, isStderr);
        diagnostics?.AddLine(line);
        log.Info("  " + line, Verbosity.Detailed);
    }

    /// <summary>Whether the line is stderr output, following the colour codes of the classic builder across lines.</summary>
    private bool ClassifyColour(string rawLine)
    {
        var state = _inStderr;
        bool? lineIsStderr = null;
        var index = 0;
        while (index < rawLine.Length)
        {
            if (rawLine[index] == '\u001b' && AnsiText.Escape().Match(rawLine, index) is { Success: true, Index: var at } match && at == index)
            {
                if (match.Value == AnsiText.StderrStart)
                {
                    state = true;
                }
                else if (match.Value == AnsiText.Reset)
                {
                    state = false;
                }

                index += match.Length;
                continue;
            }

            lineIsStderr ??= state;
            index++;
        }

        _inStderr = state;
        return lineIsStderr ?? state;
    }

    [GeneratedRegex(@"^Step \d+/\d+ : ")]
    private static partial Regex StepLine();
}
