using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The generated .dockerignore: build output and tool state never belong in the build context.</summary>
public static class DockerIgnoreTemplate
{
    /// <summary>Every casing of nuget.config: one may hold a feed password. The build stage gets renderings without secrets instead.</summary>
    public const string NuGetConfigPattern = "**/[Nn][Uu][Gg][Ee][Tt].[Cc][Oo][Nn][Ff][Ii][Gg]";

    private static readonly string[] Patterns =
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
        NuGetConfigPattern,
        "!" + NuGetConfigPlacement.RenderingFolder + "/**",
    };

    /// <param name="extraPatterns">The user's patterns, trimmed and none empty, appended in order.</param>
    public static string Render(IEnumerable<string> extraPatterns)
    {
        var lines = new List<string>
        {
            "# " + DockerfileBuilder.HeaderLine + ": keeps build output and tool state out of the build context.",
            "# Remove this header to take the file over; it is then never rewritten.",
        };
        lines.AddRange(Patterns);
        lines.AddRange(extraPatterns);
        return string.Join("\n", lines) + "\n";
    }
}
