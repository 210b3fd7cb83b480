using MultiStage.Incrementality;
using MultiStage.Inference;

namespace MultiStage.Generation;

/// <summary>What a generation produced (or would produce, when only checking).</summary>
public sealed record GenerationResult
{
    public required string ContextRoot { get; init; }
    public required string DockerfilePath { get; init; }
    public required string DockerfileText { get; init; }
    public required string DockerIgnorePath { get; init; }
    /// <summary>
    /// The rendering for the classic builder, written outside the context when an image build may meet an engine without
    /// BuildKit: the repository's Dockerfile stays a function of the project alone. Null when not asked for.
    /// </summary>
    public string? ClassicDockerfilePath { get; init; }
    public string? ClassicDockerfileText { get; init; }
    /// <summary>Null when the user owns the .dockerignore.</summary>
    public string? DockerIgnoreText { get; init; }
    public required string Repository { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required ImageChoice Images { get; init; }
    /// <summary>The images the Dockerfile builds FROM, for the engine client to pull with credentials first.</summary>
    public required IReadOnlyList<string> BaseImages { get; init; }
    /// <summary>Context-relative paths the build stage copies (files, and folders ending in '/').</summary>
    public IReadOnlyList<string> CopiedPaths { get; init; } = Array.Empty<string>();
    /// <summary>Files written by this run (empty on a rerun with nothing changed).</summary>
    public IReadOnlyList<string> WrittenFiles { get; init; } = Array.Empty<string>();
    /// <summary>Inner loop: the image holding the runtime and package layers (tag from their content), or null.</summary>
    public string? DependencyImage { get; init; }
    /// <summary>Inner loop: the Dockerfile that builds <see cref="DependencyImage"/>, or null.</summary>
    public string? DependencyDockerfilePath { get; init; }
    /// <summary>The paths the plan read besides the closure; see <see cref="GenerationStamp"/>.</summary>
    public IReadOnlyList<(PathStampKind Kind, string Path)> Inputs { get; init; } = Array.Empty<(PathStampKind, string)>();
    /// <summary>Every file this generation owns and left as planned, written now or found up to date.</summary>
    public IReadOnlyList<string> OutputFiles { get; init; } = Array.Empty<string>();
}
