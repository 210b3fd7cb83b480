using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>How a task parameter takes user values, and so how the harness tries it.</summary>
internal enum ChannelKind
{
    /// <summary>A property or item the user sets that reaches generation: every hostile value is tried.</summary>
    Generation,
    /// <summary>Sent to the engine as an API parameter only (never written into the Dockerfile): tried in the engine layer where it lands in the image.</summary>
    Engine,
    /// <summary>Set by the SDK's own targets from private properties or another task's outputs, not by the user.</summary>
    Internal,
    /// <summary>A bool: MSBuild refuses text that is not a boolean (MSB4030) before the task runs.</summary>
    Typed,
}

/// <summary>The inputs of one generation.</summary>
internal sealed record GenerationInput(ProjectFacts Project, ContainerSettings Settings);

/// <summary>A generation that was accepted, read back.</summary>
internal sealed record Generated(GenerationResult Result, IReadOnlyList<ReadInstruction> Instructions);

/// <summary>
/// One channel: a parameter of GenerateDockerfile or BuildImage (Parameter%Metadata for an item's metadata), the
/// property or item the user sets, and what each hostile value must do there.
/// </summary>
internal sealed record Channel(string Task, string Parameter, string Source, ChannelKind Kind)
{
    /// <summary>Puts a value into the generation's inputs (Generation channels).</summary>
    public Func<GenerationInput, string, GenerationInput>? Set { get; init; }

    /// <summary>An ordinary value of the channel: its generation is the reference each hostile value is compared with.</summary>
    public string Benign { get; init; } = "plain";

    public Func<HostileValue, Expected> Expect { get; init; } = _ => Expected.Contained;

    /// <summary>Whether a generation carries the value exactly where it belongs (channels whose values can be Exact).</summary>
    public Func<Generated, string, bool>? Carries { get; init; }

    /// <summary>Paths: relative ones resolve inside the fixture, absolute ones are moved under it (a harness must not write to /etc).</summary>
    public bool IsPath { get; init; }

    /// <summary>Why a channel that is not tried here needs no generation cell.</summary>
    public string Why { get; init; } = "";

    public string Name => Task + "." + Parameter;

    /// <summary>The task parameter, without the metadata name.</summary>
    public string TaskParameter => Parameter.Split('%')[0];

    public override string ToString() => Name;
}
