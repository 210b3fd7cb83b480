using System.Globalization;
using System.Text.RegularExpressions;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.BuildOutput;

/// <summary>The errors of Buildah, the builder behind Podman's <c>/build</c>.</summary>
internal static partial class BuildErrorClassifier
{
    /// <summary>
    /// An error of Buildah: "building at STEP \"RUN …\": while running runtime: exit status 1" for a failed command,
    /// "creating build container: … docker://image…" for a base image it cannot pull.
    /// </summary>
    public static EngineException Buildah(string message, BuildahOutput output)
    {
        var exit = BuildahExitStatus().Match(message);
        var step = BuildahStep().Match(message) is { Success: true } named ? named.Groups[1].Value : output.Step;
        if (exit.Success)
        {
            var exitCode = int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture);
            return StepFailure(output.Step ?? step ?? "a RUN step", exitCode, output.Lines.Lines(), message);
        }

        if (IsDockerfileMissing(message) || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase) && message.Contains("Dockerfile", StringComparison.Ordinal) && !message.Contains("STEP", StringComparison.Ordinal))
        {
            return DockerfileMissing(message);
        }

        var inFromStep = output.Step is not null && !output.StepHasImage && BuildahFromStep().IsMatch(output.Step);
        if (inFromStep || IsPullFailure(message) || message.Contains("creating build container", StringComparison.OrdinalIgnoreCase)
            || message.Contains("initializing source docker://", StringComparison.OrdinalIgnoreCase))
        {
            return BaseImage(output.Step, message);
        }

        return Failed(step, message, output.Lines.Lines());
    }

    [GeneratedRegex(@"exit status (\d+)")]
    private static partial Regex BuildahExitStatus();

    [GeneratedRegex(@"building at STEP ""(.*?)"": ")]
    private static partial Regex BuildahStep();

    [GeneratedRegex(@"^(\[\d+/\d+\] )?STEP \d+/\d+: FROM\s", RegexOptions.IgnoreCase)]
    private static partial Regex BuildahFromStep();
}
