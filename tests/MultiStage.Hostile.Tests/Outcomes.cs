namespace MultiStage.Hostile.Tests;

/// <summary>What a cell must do.</summary>
internal enum Outcome
{
    /// <summary>Refused with an MSTAGE error code (<see cref="Expected.Code"/>, or any MSTAGE code when null).</summary>
    Refused,
    /// <summary>Accepted, and the value arrives where it belongs exactly as given; nothing else changes.</summary>
    Exact,
    /// <summary>Empty means "not set": the output is the one without the parameter.</summary>
    Unset,
    /// <summary>Accepted, and generation does not use the value (a switch that only 'false' turns off, or an engine-side value).</summary>
    Inert,
    /// <summary>A value that chooses rather than carries (a framework, a path): refused with a code, or accepted with a well-formed file; never a crash, a corrupted file or an extra instruction.</summary>
    Contained,
}

internal sealed record Expected(Outcome Outcome, string? Code = null)
{
    public static Expected Exact { get; } = new(Outcome.Exact);
    public static Expected Unset { get; } = new(Outcome.Unset);
    public static Expected Inert { get; } = new(Outcome.Inert);
    public static Expected Contained { get; } = new(Outcome.Contained);

    public static Expected Refused(string? code) => new(Outcome.Refused, code);

    public override string ToString() => Code is null ? Outcome.ToString() : $"{Outcome} {Code}";
}

/// <summary>What happened to a cell, as judged against the reference generation of its channel.</summary>
internal enum Verdict
{
    Refused,
    Exact,
    /// <summary>Accepted, and the output is the one without the parameter.</summary>
    Unset,
    /// <summary>Accepted with a well-formed Dockerfile, for a value that chooses rather than carries.</summary>
    Contained,
    /// <summary>An exception escaped generation: MSBuild would report MSB4018 with a stack trace.</summary>
    Crashed,
    /// <summary>Refused with no error, or with a code that is not MSTAGE's.</summary>
    Uncoded,
    /// <summary>The file does not read back as a Dockerfile.</summary>
    Corrupted,
    /// <summary>An instruction was added or one outside the value's place changed.</summary>
    Injected,
    /// <summary>Accepted, but the value arrived changed (or not at all).</summary>
    Changed,
    /// <summary>Refused where it should have been accepted, or accepted where it should have been refused, or another code.</summary>
    Wrong,
}

/// <summary>A cell's result: the verdict and what explains it.</summary>
internal sealed record Observation(Verdict Verdict, string Detail)
{
    public bool Meets(Expected expected) => (expected.Outcome, Verdict) switch
    {
        (Outcome.Refused, Verdict.Refused) => expected.Code is null || Detail.Split(',').Contains(expected.Code),
        (Outcome.Exact, Verdict.Exact) => true,
        (Outcome.Unset, Verdict.Unset) => true,
        (Outcome.Inert, Verdict.Unset) => true,
        (Outcome.Contained, Verdict.Refused or Verdict.Contained or Verdict.Exact or Verdict.Unset) => true,
        _ => false,
    };
}
