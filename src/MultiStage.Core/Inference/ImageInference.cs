using System.Globalization;
using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Model;

namespace MultiStage.Inference;

/// <summary>The images of both stages and how the build stage must publish.</summary>
public sealed record ImageChoice
{
    public required string SdkImage { get; init; }
    public required string RuntimeImage { get; init; }
    /// <summary>True when the runtime image was inferred (a Microsoft image, so <c>APP_UID</c> is defined).</summary>
    public bool RuntimeImageInferred { get; init; }
    /// <summary>runtime-deps: the app carries its runtime.</summary>
    public bool SelfContained { get; init; }
    /// <summary>The publish must target musl (alpine).</summary>
    public bool Musl { get; init; }
}

/// <summary>
/// Picks base images with the rules of Microsoft.NET.Build.Containers (ComputeDotnetBaseImageAndTag), so that
/// a project gets the same runtime image from either tool.
/// </summary>
public static class ImageInference
{
    public const string MicrosoftRegistry = "mcr.microsoft.com";

    // Families published for the .NET images; anything else is a typo or needs ContainerBaseImage.
    private static readonly Regex KnownFamily = new(
        "^(?:alpine(?:3\\.[0-9]+)?|noble|jammy|resolute|bookworm-slim|trixie-slim|azurelinux3\\.0" +
        "|(?:noble|jammy|resolute)-chiseled(?:-extra|-composite|-composite-extra)?|azurelinux3\\.0-distroless(?:-extra)?)$",
        RegexOptions.CultureInvariant);

    public static ImageChoice? Infer(ProjectFacts project, ContainerSettings settings, Logging.ILog log)
    {
        if (!TryParseVersion(project, log, out var version))
        {
            return null;
        }

        var rids = project.RuntimeIdentifiers.Concat(new[] { project.RuntimeIdentifier })
            .Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        foreach (var rid in rids)
        {
            if (!rid.StartsWith("linux-", StringComparison.Ordinal))
            {
                log.Error(ErrorCodes.UnsupportedRuntimeIdentifier, $"The runtime identifier '{rid}' does not run in a Linux container. Set RuntimeIdentifier to a linux-* RID or leave it empty.");
                return null;
            }
        }

        var muslCount = rids.Count(r => r.StartsWith("linux-musl-", StringComparison.Ordinal));
        if (muslCount > 0 && muslCount < rids.Count)
        {
            log.Error(ErrorCodes.UnsupportedRuntimeIdentifier, $"The runtime identifiers '{string.Join(";", rids)}' mix musl and glibc; an image has one C library. Use only linux-musl-* or only linux-* RIDs.");
            return null;
        }

        var family = settings.ContainerFamily;
        if (family.Length > 0 && !KnownFamily.IsMatch(family))
        {
            log.Error(ErrorCodes.UnknownFamily, $"ContainerFamily '{family}' is not a known .NET image family (for example noble-chiseled, alpine, jammy). Set ContainerBaseImage to use another image.");
            return null;
        }

        var musl = muslCount > 0 || family.StartsWith("alpine", StringComparison.Ordinal);
        var selfContained = project.SelfContained || project.PublishAot || project.PublishTrimmed;
        var majorMinor = version.ToString(2);
        var chiseledDistro = version.Major >= 9 ? "noble" : "jammy";

        var sdk = settings.SdkImage;
        if (sdk.Length == 0)
        {
            var sdkTag = project.PublishAot ? (musl ? $"{majorMinor}-alpine-aot" : $"{majorMinor}-{chiseledDistro}-aot") : majorMinor;
            sdk = Mirror($"{MicrosoftRegistry}/dotnet/sdk:{sdkTag}", settings.BaseImageRegistry);
        }
        else if (!ImageReference.IsValidReference(sdk))
        {
            log.Error(ErrorCodes.InvalidSdkImage, $"MultiStageSdkImage '{sdk}' is not a valid image reference.");
            return null;
        }

        if (settings.ContainerBaseImage.Length > 0)
        {
            if (!ImageReference.IsValidReference(settings.ContainerBaseImage))
            {
                log.Error(ErrorCodes.InvalidBaseImage, $"ContainerBaseImage '{settings.ContainerBaseImage}' is not a valid image reference (registry/repository:tag, lowercase repository).");
                return null;
            }

            return new ImageChoice { SdkImage = sdk, RuntimeImage = settings.ContainerBaseImage, SelfContained = selfContained, Musl = musl };
        }

        var repository = selfContained ? "runtime-deps" : project.IsWeb ? "aspnet" : "runtime";
        string tag;
        if (family.Length > 0)
        {
            tag = $"{majorMinor}-{family}";
            if (family.EndsWith("-chiseled", StringComparison.Ordinal) && !musl && !project.InvariantGlobalization && version.Major >= 8)
            {
                tag += "-extra";
            }
        }
        else if (musl)
        {
            tag = $"{majorMinor}-alpine";
        }
        else if (project.PublishAot || project.PublishTrimmed)
        {
            tag = $"{majorMinor}-{chiseledDistro}-chiseled" + (project.InvariantGlobalization ? "" : "-extra");
        }
        else
        {
            tag = majorMinor;
        }

        return new ImageChoice
        {
            SdkImage = sdk,
            RuntimeImage = Mirror($"{MicrosoftRegistry}/dotnet/{repository}:{tag}", settings.BaseImageRegistry),
            RuntimeImageInferred = true,
            SelfContained = selfContained,
            Musl = musl,
        };
    }

    /// <summary>Moves an image of Microsoft's registry to the mirror the user named.</summary>
    public static string Mirror(string image, string mirror) =>
        mirror.Length > 0 && image.StartsWith(MicrosoftRegistry + "/", StringComparison.Ordinal)
            ? mirror.TrimEnd('/') + image.Substring(MicrosoftRegistry.Length)
            : image;

    private static bool TryParseVersion(ProjectFacts project, Logging.ILog log, out Version version)
    {
        version = new Version(0, 0);
        if (project.TargetFramework.Length == 0)
        {
            log.Error(ErrorCodes.NoTargetFramework, $"The project targets several frameworks ('{project.TargetFrameworks}'). Choose one for the image: pass -f <framework> to dotnet publish, or set TargetFramework.");
            return false;
        }

        if (project.TargetFrameworkIdentifier != ".NETCoreApp"
            || !Version.TryParse(project.TargetFrameworkVersion.TrimStart('v'), out var parsed)
            || parsed.Major < 8)
        {
            log.Error(ErrorCodes.UnsupportedTargetFramework, $"The target framework '{project.TargetFramework}' has no .NET container images; MultiStage.Sdk supports .NET 8.0 and later.");
            return false;
        }

        version = new Version(parsed.Major, Math.Max(parsed.Minor, 0));
        return true;
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
