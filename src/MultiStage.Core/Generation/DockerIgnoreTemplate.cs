using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// The generated .dockerignore: what the builds do not read (<see cref="ContextExclusions"/>) first, with exceptions
/// for every input; then build output and tool state, which never belong in the build context.
/// </summary>
public static class DockerIgnoreTemplate
{
    /// <summary>Every casing of nuget.config: one may hold a feed password. The build stage gets renderings without secrets instead.</summary>
    public const string NuGetConfigPattern = "**/[Nn][Uu][Gg][Ee][Tt].[Cc][Oo][Nn][Ff][Ii][Gg]";

    /// <summary>Build output and tool state; they come after the input exceptions, so no exception lets them in.</summary>
    public static readonly IReadOnlyList<string> ToolStatePatterns = new[]
    {
        "**/bin/",
        "**/obj/",
        "**/.git",
        "**/.vs/",
        "**/.vscode/",
        "**/.idea/",
        "**/node_modules/",
        "**/TestResults/",
        "**/*.user",
        "**/*.swp",
        "**/.DS_Store",
        "**/" + WellKnownNames.Dockerfile + "*",
        "**/" + WellKnownNames.DockerIgnore,
        "**/docker-compose*",
        "**/*.dbmdl",
        "**/*.jfm",
        "**/secrets.dev.yaml",
        "**/values.dev.yaml",
    };

    /// <summary>The template's last line: the user's patterns follow it.</summary>
    public const string LastTemplateLine = "!" + NuGetConfigPlacement.RenderingFolder + "/**";

    private static readonly string[] SecretPatterns =
    {
        NuGetConfigPattern,
        LastTemplateLine,
    };

    /// <param name="extraPatterns">The user's patterns, trimmed and none empty, appended in order.</param>
    /// <param name="notRead">From <see cref="ContextExclusions.For"/>: what the builds do not read, then the exceptions for their inputs.</param>
    public static string Render(IEnumerable<string> extraPatterns, IReadOnlyList<string>? notRead = null)
    {
        var lines = new List<string>
        {
            "# " + DockerfileBuilder.HeaderLine + ": keeps what the build does not read, build output and tool state out of the build context.",
            "# Remove this header to take the file over; it is then never rewritten.",
        };
        lines.AddRange(notRead ?? Array.Empty<string>());
        lines.AddRange(ToolStatePatterns);
        lines.AddRange(SecretPatterns);
        lines.AddRange(extraPatterns);
        return string.Join("\n", lines) + "\n";
    }
}
