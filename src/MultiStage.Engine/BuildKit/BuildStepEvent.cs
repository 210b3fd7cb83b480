namespace MultiStage.Engine.BuildKit;

/// <summary>
/// Something that happened to one step (BuildKit vertex) of a build, in the order <c>docker build --progress=plain</c>
/// reports it. <see cref="Step"/> numbers vertices from 1 in order of first appearance, like the <c>#N</c> of the plain output.
/// </summary>
/// <param name="Step">1-based number of the step.</param>
/// <param name="Digest">BuildKit digest of the vertex.</param>
/// <param name="Name">Display name, e.g. <c>[2/3] COPY app /app</c>; empty while the vertex is unknown.</param>
public abstract record BuildStepEvent(int Step, string Digest, string Name);

/// <summary>The step started (or was found cached or done without a start being reported).</summary>
public sealed record BuildStepStarted(int Step, string Digest, string Name) : BuildStepEvent(Step, Digest, Name);

/// <summary>The step's result came from the cache; no <see cref="BuildStepCompleted"/> follows.</summary>
public sealed record BuildStepCached(int Step, string Digest, string Name) : BuildStepEvent(Step, Digest, Name);

/// <summary>Which output of a step a log line came from.</summary>
public enum BuildLogStream
{
    /// <summary>Standard output.</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,
}

/// <summary>One line of output of a step, without its line break.</summary>
public sealed record BuildStepLog(int Step, string Digest, string Name, BuildLogStream Stream, string Line) : BuildStepEvent(Step, Digest, Name);

/// <summary>A sub-task of the step finished, e.g. <c>transferring context</c> or a layer extraction.</summary>
/// <param name="Step">1-based number of the step.</param>
/// <param name="Digest">BuildKit digest of the vertex.</param>
/// <param name="Name">Display name of the step.</param>
/// <param name="Id">The sub-task, e.g. <c>transferring context:</c> or a layer digest.</param>
/// <param name="Current">Units done (bytes when <paramref name="Total"/> is known).</param>
/// <param name="Total">Units in all; 0 when unknown.</param>
public sealed record BuildStepStatus(int Step, string Digest, string Name, string Id, long Current, long Total) : BuildStepEvent(Step, Digest, Name);

/// <summary>A build warning attached to the step.</summary>
public sealed record BuildStepWarning(int Step, string Digest, string Name, int Level, string Message, IReadOnlyList<string> Detail, string? Url)
    : BuildStepEvent(Step, Digest, Name);

/// <summary>The step finished successfully.</summary>
public sealed record BuildStepCompleted(int Step, string Digest, string Name, TimeSpan Duration) : BuildStepEvent(Step, Digest, Name);

/// <summary>The step failed; <see cref="Canceled"/> when it was stopped because another step failed.</summary>
public sealed record BuildStepFailed(int Step, string Digest, string Name, string Error, bool Canceled) : BuildStepEvent(Step, Digest, Name);

/// <summary>State of one step after the messages applied so far.</summary>
/// <param name="Step">1-based number of the step.</param>
/// <param name="Digest">BuildKit digest of the vertex.</param>
/// <param name="Name">Display name.</param>
/// <param name="Cached">Whether the result came from the cache.</param>
/// <param name="Duration">Run time once completed; null before.</param>
/// <param name="Error">The error once failed; null otherwise.</param>
public sealed record BuildStepSummary(int Step, string Digest, string Name, bool Cached, TimeSpan? Duration, string? Error);
