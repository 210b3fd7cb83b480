namespace MultiStage.Model;

/// <summary>What MSBuild knows about the project being containerized (all paths absolute).</summary>
public sealed record ProjectFacts
{
    public required string ProjectPath { get; init; }
    public required string AssemblyName { get; init; }
    /// <summary>File name of the main output, e.g. <c>App.dll</c>.</summary>
    public required string TargetFileName { get; init; }
    public string TargetFramework { get; init; } = "";
    /// <summary>Set when the project lists several frameworks; with no <see cref="TargetFramework"/> chosen that is an error.</summary>
    public string TargetFrameworks { get; init; } = "";
    public string TargetFrameworkIdentifier { get; init; } = "";
    /// <summary>e.g. <c>10.0</c>.</summary>
    public string TargetFrameworkVersion { get; init; } = "";
    public string OutputType { get; init; } = "Exe";
    public bool IsPublishable { get; init; } = true;
    public bool SelfContained { get; init; }
    public bool PublishAot { get; init; }
    public bool PublishTrimmed { get; init; }
    public bool InvariantGlobalization { get; init; }
    public string RuntimeIdentifier { get; init; } = "";
    /// <summary>The .NET SDK running the build (NETCoreSdkVersion), e.g. <c>10.0.100</c>; it picks the Ubuntu of chiseled images.</summary>
    public string SdkVersion { get; init; } = "";
    public IReadOnlyList<string> RuntimeIdentifiers { get; init; } = Array.Empty<string>();
    /// <summary>Names of FrameworkReference items, e.g. <c>Microsoft.AspNetCore.App</c>.</summary>
    public IReadOnlyList<string> FrameworkReferences { get; init; } = Array.Empty<string>();
    /// <summary>The project-graph closure: the entry project and everything it references.</summary>
    public IReadOnlyList<ProjectNode> Closure { get; init; } = Array.Empty<ProjectNode>();
    /// <summary>Directory of the git work tree holding the project, when there is one; files outside it are never copied.</summary>
    public string? RepositoryRoot { get; init; }

    public bool IsWeb => FrameworkReferences.Any(f => string.Equals(f, "Microsoft.AspNetCore.App", StringComparison.OrdinalIgnoreCase));
}

/// <summary>One project of the ProjectReference closure, as evaluated.</summary>
public sealed record ProjectNode
{
    public required string ProjectPath { get; init; }
    /// <summary>Project files this one references (absolute paths).</summary>
    public IReadOnlyList<string> References { get; init; } = Array.Empty<string>();
    /// <summary>Every file the evaluation imported (.props/.targets), including SDK files; the planner filters.</summary>
    public IReadOnlyList<string> Imports { get; init; } = Array.Empty<string>();
    /// <summary>Source items (Compile, Content, …) of the project, to find the folders the build stage needs.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = Array.Empty<string>();
    /// <summary>
    /// Other files its evaluation names: file items of any type, properties naming a file (see
    /// <see cref="Inputs.FileReferences"/>). Paths as evaluated; the planner decides which the build stage gets.
    /// </summary>
    public IReadOnlyList<BuildRead> ReadFiles { get; init; } = Array.Empty<BuildRead>();
    /// <summary>The lock file restore reads, if the project has one.</summary>
    public string? LockFile { get; init; }
    /// <summary>Folders whose content is build output (obj/, bin/): never restore inputs.</summary>
    public IReadOnlyList<string> OutputDirectories { get; init; } = Array.Empty<string>();
}

/// <summary>A file the build of a project reads, and what names it (for messages).</summary>
/// <param name="Path">The full path.</param>
/// <param name="Via">What names it, e.g. "property AssemblyOriginatorKeyFile of Lib.csproj".</param>
/// <param name="Required">Named by an item or a documented property: a file outside the repository is worth a warning.
/// False for the general property rule, which may catch a value that only looks like a file.</param>
public sealed record BuildRead(string Path, string Via, bool Required);
