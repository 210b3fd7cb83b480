using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Engine.BuildKit;
using MultiStage.Logging;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// The "stream" text of Buildah, the builder behind Podman's Docker-compatible <c>/build</c>: "[1/2] STEP 3/9: COPY …"
/// (no "[n/m] " prefix for a one-stage Dockerfile), "--> Using cache …", "--> 3f2a…" when a step's layer is committed,
/// "[2/2] COMMIT name", then the commands' output. Logged like <c>podman build</c> shows it, turned into the same
/// <see cref="BuildStepEvent"/>s the BuildKit path produces, with the current step and its last lines kept for the error.
/// Every raw line stays available to <see cref="LineReceived"/> (diagnostics parsers read compiler lines from it).
/// </summary>
internal sealed partial class BuildahOutput(ILog log)
{
    private LineBuffer? _lineBuffer;
    private readonly Stopwatch _stepClock = new();
    private readonly List<BuildStepEvent> _events = [];
    private int _stepNumber;
    private bool _stepDone;
    private bool _inCommit;

    /// <summary>The current "[n/m] STEP k/l: …" line; null before the first.</summary>
    public string? Step { get; private set; }

    /// <summary>Whether the current step has committed a layer or come from the cache (so it got past its base image).</summary>
    public bool StepHasImage { get; private set; }

    /// <summary>The last output lines of the current step.</summary>
    public OutputTail Lines { get; } = new();

    /// <summary>The image id Buildah printed last (after the final COMMIT), for engines that send no aux ID.</summary>
    public string? ShortImageId { get; private set; }

    /// <summary>The step events so far, in order.</summary>
    public IReadOnlyList<BuildStepEvent> Events => _events;

    /// <summary>Called with each line of output, without its line break, before it is interpreted.</summary>
    public Action<string>? LineReceived { get; init; }

    /// <summary>Whether the text is Buildah's: its step lines differ from the classic builder's "Step n/m : ".</summary>
    public static bool IsStepLine(string line) => StepLine().IsMatch(line);

    /// <summary>Feeds a piece of the stream; lines are handled as their line breaks arrive.</summary>
    public void Feed(string text) => LineSplitter.Feed(text);

    private LineBuffer LineSplitter => _lineBuffer ??= new LineBuffer(HandleLine);

    /// <summary>Handles a last line that had no line break and closes the open step.</summary>
    public void Flush()
    {
        LineSplitter.Flush();

        CompleteStep();
    }

    /// <summary>Marks the current step failed with the engine's error.</summary>
    public void Fail(string error)
    {
        if (Step is not null && !_stepDone)
        {
            _stepDone = true;
            _events.Add(new BuildStepFailed(_stepNumber, Digest, Step, error, Canceled: false));
        }
    }

    private string Digest => "buildah:" + _stepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void HandleLine(string rawLine)
    {
        var line = AnsiText.Strip(rawLine).TrimEnd('\r');
        LineReceived?.Invoke(line);
        if (line.Length == 0)
        {
            return;
        }

        if (StepLine().IsMatch(line))
        {
            CompleteStep();
            _stepNumber++;
            Step = line;
            StepHasImage = false;
            _stepDone = false;
            Lines.Clear();
            _stepClock.Restart();
            _inCommit = false;
            _events.Add(new BuildStepStarted(_stepNumber, Digest, line));
            log.Info(line, Verbosity.Normal);
            return;
        }

        if (CommitLine().IsMatch(line))
        {
            // The image is being written: the step before it is complete; what follows up to "--> id" is the commit's.
            CompleteStep();
            _inCommit = true;
            log.Info(line, Verbosity.Normal);
            return;
        }

        if (line.StartsWith("--> ", StringComparison.Ordinal))
        {
            var rest = line[4..].Trim();
            if (rest.StartsWith("Using cache", StringComparison.Ordinal))
            {
                StepHasImage = true;
                if (Step is not null && !_stepDone)
                {
                    _stepDone = true;
                    _events.Add(new BuildStepCached(_stepNumber, Digest, Step));
                }

                log.Info(line, Verbosity.Normal);
                return;
            }

            StepHasImage = true;
            if (_inCommit)
            {
                ShortImageId = rest;
                _inCommit = false;
            }

            CompleteStep();
            log.Info(line, Verbosity.Detailed);
            return;
        }

        if (line.StartsWith("Successfully tagged ", StringComparison.Ordinal) || line.StartsWith("Successfully built ", StringComparison.Ordinal))
        {
            if (line.StartsWith("Successfully built ", StringComparison.Ordinal))
            {
                ShortImageId = line["Successfully built ".Length..].Trim();
            }

            log.Info(line, Verbosity.Detailed);
            return;
        }

        // The commit's own lines ("Copying blob …"), and the image's full id Buildah prints after the last one.
        if (_inCommit || (ShortImageId is not null && FullId().IsMatch(line)))
        {
            if (FullId().IsMatch(line))
            {
                ShortImageId = line;
            }

            log.Info(line, Verbosity.Detailed);
            return;
        }

        Lines.Add(line, isStderr: false);
        if (Step is not null && !_stepDone)
        {
            _events.Add(new BuildStepLog(_stepNumber, Digest, Step, BuildLogStream.Stdout, line));
        }

        log.Info("  " + line, Verbosity.Detailed);
    }

    private void CompleteStep()
    {
        if (Step is not null && !_stepDone)
        {
            _stepDone = true;
            _events.Add(new BuildStepCompleted(_stepNumber, Digest, Step, _stepClock.Elapsed));
        }
    }

    [GeneratedRegex(@"^(\[\d+/\d+\] )?STEP \d+/\d+: ")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^(\[\d+/\d+\] )?COMMIT( |$)")]
    private static partial Regex CommitLine();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex FullId();
}
