using MultiStage.Incrementality;

namespace MultiStage.Generation;

/// <summary>The files of the build context the Dockerfile copies, all relative to <see cref="Root"/> with '/' separators.</summary>
public sealed record ContextLayout
{
    public required string Root { get; init; }
    /// <summary>Files restore reads: project files, imported .props/.targets, global.json, lock files.
    /// NuGet.config files are in <see cref="NuGetConfigs"/>: the context never holds one as written.</summary>
    public required IReadOnlyList<string> RestoreInputs { get; init; }
    /// <summary>Folders holding the sources of the closure, dependencies first, entry project last.</summary>
    public required IReadOnlyList<string> SourceFolders { get; init; }
    /// <summary>Files the build reads outside the project folders and restore inputs (a signing key, linked sources, an
    /// .editorconfig above the projects…), each copied alone after restore.</summary>
    public IReadOnlyList<string> OtherFiles { get; init; } = Array.Empty<string>();
    /// <summary>Every file the evaluations name inside the context, project folders included: the generated .dockerignore never excludes one.</summary>
    public IReadOnlyList<string> ReadFiles { get; init; } = Array.Empty<string>();
    /// <summary>With the context root a project folder holding the state folder: the root's entries to copy instead of
    /// the whole folder (directories end in '/'), so the vendored package is copied once, for restore.</summary>
    public IReadOnlyList<string>? RootEntries { get; init; }
    public required string EntryProject { get; init; }
    /// <summary>The NuGet.config files restore reads, each copied into the build stage as its rendering without secrets.</summary>
    public IReadOnlyList<NuGetConfigPlacement> NuGetConfigs { get; init; } = Array.Empty<NuGetConfigPlacement>();
    /// <summary>Restore needs the credentials secret: a config it reads, or the environment, holds credentials for one of its sources.</summary>
    public bool NuGetCredentials { get; init; }
    /// <summary>The paths planning read besides the closure (<see cref="PathStamp"/> kinds), so a later run can tell nothing changed.</summary>
    public IReadOnlyList<(PathStampKind Kind, string Path)> Inputs { get; init; } = Array.Empty<(PathStampKind, string)>();
}

/// <summary>A NuGet.config restore reads, and where its rendering without secrets goes.</summary>
/// <param name="HostPath">The original, a full path; it never enters the build context.</param>
/// <param name="Target">Its context-relative path: where the build stage has the rendering, so NuGet finds it walking up as on the host.</param>
public sealed record NuGetConfigPlacement(string HostPath, string Target)
{
    /// <summary>The folder of the context holding the renderings, laid out as the configs are.</summary>
    public const string RenderingFolder = Model.WellKnownNames.StateFolder + "/nuget";

    /// <summary>The context-relative path of the rendering.</summary>
    public string Rendering
    {
        get
        {
            var slash = Target.LastIndexOf('/');
            return RenderingFolder + "/" + (slash < 0 ? "" : Target.Substring(0, slash + 1)) + "nuget.config";
        }
    }
}
