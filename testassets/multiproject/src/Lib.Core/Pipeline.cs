namespace Lib.Core;

public sealed record BuildStep(string Key, int Order);

public static class Pipeline
{
    public static IReadOnlyList<BuildStep> Default { get; } =
    [
        new("copy_output", 3),
        new("restore_packages", 1),
        new("publish_app", 2),
    ];
}
