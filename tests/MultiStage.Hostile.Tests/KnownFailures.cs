namespace MultiStage.Hostile.Tests;

/// <summary>
/// Cells that do not yet do what the table says, each with the fix it waits for. The harness expects them to fail
/// and checks that they still do: when a fix lands, it fails and says to remove the entry.
/// </summary>
internal static class KnownFailures
{
    private const string NoOwner = "no fix under way yet";

    private static readonly (string Channel, string[] Values, string Reason)[] Entries =
    {
        ("GenerateDockerfile.ContextRoot", ["nul"], "NUL in a path escapes as ArgumentException (MSB4018); waits for the fix that gives paths with NUL a code"),
        ("GenerateDockerfile.DockerfilePath", ["nul"], "NUL in a path escapes as ArgumentException (MSB4018); waits for the fix that gives paths with NUL a code"),
        ("GenerateDockerfile.ContainerLabels", ["flag", "equals"], "a label name with '=' is written, and a builder splits it at the '='; waits for the fix of label names with '='"),
        ("GenerateDockerfile.DockerIgnorePatterns", ["lf", "cr", "crlf", "u2028", "nel", "run-after-lf", "trailing-lf", "nul", "soh", "esc", "del", "tab"],
            "a line break makes two patterns, control characters are written as they are; waits for the MultiStageDockerIgnore validation"),
        ("GenerateDockerfile.ContainerRepository", ["trailing-lf"], "the repository check's '$' matches before a final line break, so 'x\\n' is accepted and sent to the engine as the repository; " + NoOwner),
        ("GenerateDockerfile.ContainerRepository", ["space"], "spaces become '-' (meant for the default from AssemblyName), so 'a b' silently becomes 'a-b'; " + NoOwner),
        ("GenerateDockerfile.BaseImageRegistry", ["long", "brackets"], "a 10 kB host and '[abc]' pass the registry check and make FROM references the engine refuses; " + NoOwner),
    };

    public static string? Reason(Channel channel, HostileValue value) =>
        Entries.Where(e => e.Channel == channel.Name && e.Values.Contains(value.Name)).Select(e => e.Reason).FirstOrDefault();

    public static IEnumerable<(string Channel, string Value)> Cells => Entries.SelectMany(e => e.Values.Select(v => (e.Channel, v)));
}
