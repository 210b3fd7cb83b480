using MultiStage.Incrementality;

namespace MultiStage.Generation;

/// <summary>The files of the build context the Dockerfile copies, all relative to <see cref="Root"/> with '/' separators.</summary>
public sealed record ContextLayout
{
    public required string Root { get; init; }
    /// <summary>Files restore reads: project files, imported .props/.targets, NuGet.config, global.json, lock files.</summary>
    public required IReadOnlyList<string> RestoreInputs { get; init; }
    /// <summary>Folders holding the sources of the closure, dependencies first, entry project last.</summary>
    public required IReadOnlyList<string> SourceFolders { get; init; }
    public required string EntryProject { get; init; }
    /// <summary>The paths planning read besides the closure (<see cref="PathStamp"/> kinds), so a later run can tell nothing changed.</summary>
    public IReadOnlyList<(PathStampKind Kind, string Path)> Inputs { get; init; } = Array.Empty<(PathStampKind, string)>();
}
