using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Inference;

/// <summary>
/// What a chiseled or distroless runtime image lacks, checked at generation so an app never fails only when it starts:
/// a command run through a shell, and users other than the image's own.
/// </summary>
public static class ShellLessImageChecks
{
    /// <summary>The users and groups of Microsoft's chiseled and distroless images (/etc/passwd, /etc/group).</summary>
    public static readonly IReadOnlyList<string> ImageUsers = new[] { "root", "app" };

    // Shells, env (coreutils) and the usual HTTP probes: none of them is in these images.
    private static readonly HashSet<string> Missing = new(StringComparer.Ordinal) { "sh", "bash", "dash", "ash", "zsh", "ksh", "busybox", "env", "curl", "wget" };

    /// <summary>False (the first problem logged) when the settings need what the runtime image lacks.</summary>
    public static bool Check(ResolvedSettings settings, ImageChoice images, ILog log)
    {
        if (!images.ShellLess)
        {
            return true;
        }

        var commands = new[]
        {
            ("ContainerAppCommand", settings.AppCommandInstruction != AppCommandInstruction.None ? settings.AppCommand : null),
            ("ContainerHealthCheck", settings.HealthCheck?.Command),
        };
        foreach (var (property, command) in commands)
        {
            if (command is { Count: > 0 } && Missing.Contains(command[0].Substring(command[0].LastIndexOf('/') + 1)))
            {
                log.Error(ErrorCodes.ShellNotInImage, $"{property} starts with '{command[0]}', which the runtime image {images.RuntimeImage} does not have: it has no shell, coreutils, curl or wget. Run the app's own binary (for a health check, the app with a health argument: docs/runtime-image.md), or choose an image that has a shell: ContainerFamily=noble, trixie-slim or alpine.");
                return false;
            }
        }

        if (settings.User is { } user)
        {
            var unknown = user.Split(':').FirstOrDefault(part => !part.All(char.IsDigit) && !ImageUsers.Contains(part, StringComparer.Ordinal));
            if (unknown is not null)
            {
                log.Error(ErrorCodes.UserNotInImage, $"ContainerUser '{user}' names '{unknown}', which the runtime image {images.RuntimeImage} does not have: its only users and groups are {string.Join(" and ", ImageUsers)} (uid 0 and 1654). Use 'app', a numeric uid[:gid], or an image that defines the user (ContainerBaseImage).");
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Once, when the Dockerfile is written: the runtime image differs from the one dotnet publish -t:PublishContainer
    /// would pick, and how to get that one back.
    /// </summary>
    public static void NoteDefault(GenerationResult result, ILog log)
    {
        if (result.Images.MicrosoftDefaultImage is { } full && result.WrittenFiles.Contains(result.DockerfilePath))
        {
            log.Info($"The runtime image is {result.Images.RuntimeImage}: Ubuntu chiseled (no shell, no package manager, non-root), where dotnet publish -t:PublishContainer uses {full}. For a Debian image set ContainerFamily (trixie-slim, bookworm-slim), or ContainerBaseImage={full}.", Verbosity.Minimal);
        }
    }
}
