using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// Advice by cause: a failed build the classifier mapped to a generic code (a failed step, a base image that cannot be
/// pulled, another failure) is looked at again for causes with a fix of their own: no network in the build, a base
/// image that needs credentials, a full disk, compiler errors, an image of another platform. The engine's text and the
/// step's last lines are the evidence; the step, exit code and lines stay on the exception.
/// </summary>
internal static partial class FailureCauses
{
    /// <summary>The more specific failure, or <paramref name="failure"/> when no cause is recognised.</summary>
    public static EngineException Refine(EngineException failure, string engineMessage)
    {
        if (failure.Code is not (EngineErrorCodes.StepFailed or EngineErrorCodes.BaseImageUnavailable or EngineErrorCodes.BuildFailed))
        {
            return failure;
        }

        var evidence = failure.LastOutputLines.Append(engineMessage).ToArray();
        var where = failure.Step is null ? string.Empty : $" ('{failure.Step}')";

        if (First(evidence, IsDiskFull) is { } disk)
        {
            return Derived(failure, EngineErrorCodes.BuildDiskFull, $"The build ran out of disk space{where}: {disk}. {EngineFailures.EngineDiskFullAdvice}");
        }

        if (First(evidence, IsPlatformMismatch) is { } platform)
        {
            return Derived(
                failure,
                EngineErrorCodes.BuildPlatformMismatch,
                $"The build needs an image or a program of another platform than the engine runs or was asked for{where}: {platform}. Set MultiStagePlatform (e.g. linux/amd64) to a platform every base image offers, or choose base images (ContainerBaseImage, MultiStageSdkImage) that have the engine's platform; to run another architecture's programs the engine needs emulation (binfmt/QEMU).");
        }

        if (First(evidence, IsNoNetwork) is { } network)
        {
            var noBridge = network.Contains("bridge", StringComparison.OrdinalIgnoreCase) || network.Contains("netavark", StringComparison.OrdinalIgnoreCase) || network.Contains("CNI", StringComparison.Ordinal);
            return Derived(
                failure,
                EngineErrorCodes.BuildNetworkUnavailable,
                noBridge
                    ? $"A step of the build has no network{where}: {network}. The engine has no default (bridge) network for build steps; set MultiStageBuildNetwork=host to run them in the engine host's network."
                    : $"A step of the build cannot reach the network{where}: {network}. Check the engine's DNS and proxy settings (pass HTTP_PROXY/HTTPS_PROXY as MultiStageBuildArg items); when the engine has no working bridge network, set MultiStageBuildNetwork=host.");
        }

        if (failure.Code == EngineErrorCodes.BaseImageUnavailable && First(evidence, IsAuthentication) is { } auth)
        {
            return Derived(
                failure,
                EngineErrorCodes.BaseImageUnauthorized,
                $"A base image of the Dockerfile{where} needs credentials the engine did not have: {auth}. Log in to its registry (docker login <registry>, or podman login for Podman), then build again; check the image name too, as registries answer 'denied' for a repository that does not exist.");
        }

        if (failure.Code == EngineErrorCodes.StepFailed && CompilerErrors(failure.LastOutputLines) is { Count: > 0 } errors)
        {
            var text = new StringBuilder();
            text.Append(errors.Count == 1 ? "The build stage failed with a build error" : $"The build stage failed with {errors.Count} build errors").Append(where).Append(':');
            foreach (var error in errors)
            {
                text.Append("\n    ").Append(error);
            }

            text.Append("\nFix the code or the project (the paths are the build stage's, under its working directory), then build again; 'dotnet build' on this machine shows the same errors faster.");
            return Derived(failure, EngineErrorCodes.BuildStageCompileFailed, text.ToString());
        }

        return failure;
    }

    /// <summary>The errors among the lines as <see cref="BuildDiagnosticParser"/> reads them ("file(1,2): error CS1002: …"), each once, in order.</summary>
    internal static List<string> CompilerErrors(IEnumerable<string> lines)
    {
        var diagnostics = new BuildDiagnostics();
        foreach (var line in lines)
        {
            diagnostics.AddLine(line);
        }

        return diagnostics.All.Where(d => d.Severity == BuildDiagnosticSeverity.Error).Select(d => d.Format()).ToList();
    }

    private static EngineException Derived(EngineException failure, string code, string message) =>
        new(code, message, failure)
        {
            Step = failure.Step,
            ExitCode = failure.ExitCode,
            LastOutputLines = failure.LastOutputLines,
        };

    private static string? First(string[] evidence, Func<string, bool> test) => evidence.FirstOrDefault(test)?.Trim();

    private static bool IsDiskFull(string text) => EngineFailures.IsDiskFull(text) || text.Contains("disk quota exceeded", StringComparison.OrdinalIgnoreCase);

    private static bool IsPlatformMismatch(string text) =>
        text.Contains("exec format error", StringComparison.OrdinalIgnoreCase)
        || text.Contains("no matching manifest for", StringComparison.OrdinalIgnoreCase)
        || text.Contains("does not match the specified platform", StringComparison.OrdinalIgnoreCase)
        || text.Contains("no image found in manifest list for architecture", StringComparison.OrdinalIgnoreCase)
        || text.Contains("no image found in image index for architecture", StringComparison.OrdinalIgnoreCase);

    private static bool IsNoNetwork(string text) => NoNetwork().IsMatch(text);

    // BuildKit driven without a client session answers a registry's request for credentials with "no active sessions":
    // it would have asked the client's session for them.
    private static bool IsAuthentication(string text) =>
        text.Contains("no active sessions", StringComparison.OrdinalIgnoreCase)
        || text.Contains("pull access denied", StringComparison.OrdinalIgnoreCase)
        || text.Contains("unauthorized", StringComparison.OrdinalIgnoreCase)
        || text.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
        || text.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase)
        || text.Contains("requested access to the resource is denied", StringComparison.OrdinalIgnoreCase);

    // Docker without a bridge ("network bridge not found"), Podman without one (netavark/CNI), and what a command
    // prints when DNS or routing fails: curl, apt, NuGet (NU1301), .NET's sockets.
    [GeneratedRegex(
        @"network bridge not found|network .{0,40} not found|netavark: |error configuring network namespace|plugin type=""bridge"" failed|Temporary failure (in )?name resolution|Name or service not known|Could not resolve host|Network is unreachable|No route to host|error NU1301|Resource temporarily unavailable \(\S+:\d+\)",
        RegexOptions.IgnoreCase)]
    private static partial Regex NoNetwork();
}
