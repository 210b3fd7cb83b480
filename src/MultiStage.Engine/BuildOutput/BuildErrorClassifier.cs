using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// Maps the error message a build ended with to a coded <see cref="EngineException"/> that says what failed (a step's
/// command, a base image, the Dockerfile) and what to do, with the failing step's last output lines.
/// </summary>
internal static partial class BuildErrorClassifier
{
    /// <summary>An error of the classic builder, which names the exit code in its text (and sometimes in "code").</summary>
    public static EngineException Classic(string message, int? code, ClassicBuildOutput output)
    {
        var match = ClassicExitCode().Match(message);
        if (match.Success)
        {
            var exitCode = code ?? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return StepFailure(output.Step ?? "a RUN step", exitCode, output.Lines.Lines(), message);
        }

        if (IsDockerfileMissing(message))
        {
            return DockerfileMissing(message);
        }

        var inFromStep = output.Step is not null && !output.StepHasImage && ClassicFromStep().IsMatch(output.Step);
        if (inFromStep || IsPullFailure(message))
        {
            return BaseImage(output.Step, message);
        }

        return Failed(output.Step, message, output.Lines.Lines());
    }

    /// <summary>An error of BuildKit; <paramref name="failedStep"/> is the step its progress reported failing, if any.</summary>
    public static EngineException BuildKit(string message, BuildKitStepRenderer.Step? failedStep)
    {
        var exit = BuildKitExitCode().Match(message);
        if (exit.Success)
        {
            var exitCode = int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture);
            var name = failedStep?.Name ?? CommandOf(message) ?? "a RUN step";
            return StepFailure(name, exitCode, failedStep?.Lines.Lines() ?? [], message);
        }

        if (IsDockerfileMissing(message))
        {
            return DockerfileMissing(message);
        }

        if (IsPullFailure(message) || (failedStep is not null && BuildKitFromStep().IsMatch(failedStep.Name)))
        {
            return BaseImage(failedStep?.Name, message);
        }

        return Failed(failedStep?.Name, message, failedStep?.Lines.Lines() ?? []);
    }

    private static EngineException StepFailure(string step, int exitCode, string[] lines, string engineMessage)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The Dockerfile step '{step}' failed with exit code {exitCode}.");
        if (lines.Length > 0)
        {
            text.Append(" Its last output lines:");
            foreach (var line in lines)
            {
                text.Append("\n    ").Append(line);
            }

            text.Append('\n');
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $" The engine said: {engineMessage}");
        }

        text.Append(" Fix the command or what it depends on, then build again; run with detailed verbosity to see all of its output.");
        return new EngineException(EngineErrorCodes.StepFailed, text.ToString())
        {
            Step = step,
            ExitCode = exitCode,
            LastOutputLines = lines,
        };
    }

    private static EngineException BaseImage(string? step, string message)
    {
        var where = step is null ? string.Empty : $" ({step})";
        return new EngineException(
            EngineErrorCodes.BaseImageUnavailable,
            $"A base image of the Dockerfile{where} cannot be pulled: {message}. Check the image name and tag, that the engine can reach its registry (proxy, DNS, network), and that the engine is logged in to it when it is private; or load the image into the engine beforehand.")
        {
            Step = step,
        };
    }

    private static EngineException DockerfileMissing(string message)
    {
        return new EngineException(
            EngineErrorCodes.DockerfileNotFound,
            $"The engine cannot find the Dockerfile in the build context: {message}. Check the Dockerfile path (relative to the context) and that .dockerignore does not exclude it.");
    }

    private static EngineException Failed(string? step, string message, string[] lines)
    {
        var where = step is null ? string.Empty : $" at '{step}'";
        var text = new StringBuilder($"The image build failed{where}: {message}.");
        if (lines.Length > 0)
        {
            text.Append(" Last output lines:");
            foreach (var line in lines)
            {
                text.Append("\n    ").Append(line);
            }

            text.Append('\n');
        }

        text.Append(' ').Append(EngineFailures.IsDiskFull(message) ? EngineFailures.EngineDiskFullAdvice : "Fix the Dockerfile or the build context and build again.");
        return new EngineException(EngineErrorCodes.BuildFailed, text.ToString()) { Step = step, LastOutputLines = lines };
    }

    private static bool IsDockerfileMissing(string message) =>
        message.Contains("Cannot locate specified Dockerfile", StringComparison.OrdinalIgnoreCase)
        || message.Contains("failed to read dockerfile", StringComparison.OrdinalIgnoreCase)
        || message.Contains("the Dockerfile (", StringComparison.OrdinalIgnoreCase) && message.Contains("cannot be empty", StringComparison.OrdinalIgnoreCase);

    private static bool IsPullFailure(string message)
    {
        bool Has(string fragment) => message.Contains(fragment, StringComparison.OrdinalIgnoreCase);
        if (Has("dockerfile parse error"))
        {
            return false;
        }

        return Has("failed to resolve source metadata")
            || Has("pull access denied")
            || Has("manifest unknown")
            || (Has("manifest for ") && Has("not found"))
            || Has("repository does not exist")
            // BuildKit resolves the FROM images while it turns the Dockerfile into its build graph.
            || (Has("failed to create LLB definition") && (Has("failed to do request") || Has("not found") || Has("failed to authorize") || Has("unexpected status") || Has("no such host")));
    }

    private static string? CommandOf(string message)
    {
        var start = message.IndexOf('[');
        var end = message.LastIndexOf(']');
        return start >= 0 && end > start ? "RUN " + message[(start + 1)..end] : null;
    }

    [GeneratedRegex(@"^Step \d+/\d+ : FROM\s", RegexOptions.IgnoreCase)]
    private static partial Regex ClassicFromStep();

    [GeneratedRegex(@"^\[[^\]]*\]\s*FROM\s|load metadata for", RegexOptions.IgnoreCase)]
    private static partial Regex BuildKitFromStep();

    [GeneratedRegex(@"returned a non-zero code: (\d+)")]
    private static partial Regex ClassicExitCode();

    [GeneratedRegex(@"exit code: (\d+)")]
    private static partial Regex BuildKitExitCode();
}
