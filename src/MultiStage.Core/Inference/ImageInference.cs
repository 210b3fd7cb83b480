using MultiStage.Diagnostics;
using MultiStage.Model;

namespace MultiStage.Inference;

/// <summary>
/// Picks base images with the rules of Microsoft.NET.Build.Containers (ComputeDotnetBaseImageAndTag), so that
/// a project gets the same runtime image from either tool.
/// </summary>
public static class ImageInference
{
    public const string MicrosoftRegistry = "mcr.microsoft.com";

    public static ImageChoice? Infer(ProjectFacts project, ResolvedSettings settings, Logging.ILog log)
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

        var family = settings.Family;
        var musl = muslCount > 0 || family.StartsWith("alpine", StringComparison.Ordinal);
        var selfContained = project.SelfContained || project.PublishAot || project.PublishTrimmed;
        var majorMinor = version.ToString(2);
        var chiseledDistro = UbuntuForSdk(project.SdkVersion, version);

        // The AOT build stage runs the same Ubuntu as the image: a native binary linked against a newer glibc may not start on an older one.
        var sdk = settings.SdkImage
            ?? Mirror($"{MicrosoftRegistry}/dotnet/sdk:{(project.PublishAot ? (musl ? $"{majorMinor}-alpine-aot" : $"{majorMinor}-{chiseledDistro}-aot") : majorMinor)}", settings.BaseImageRegistry);
        if (settings.BaseImage is not null)
        {
            // ContainerFamily names no image here, but it tells the package manager of one whose name does not.
            var manager = family.Length > 0 ? PackageManagers.OfFamily(family) : PackageManagers.OfImage(settings.BaseImage);
            // Microsoft's chiseled and distroless images get the checks of an inferred one, named or said by the family.
            // Not other vendors': Google's distroless images have the users nonroot and nobody, and shells in :debug tags.
            var shellLess = manager == PackageManager.None && (family.Length > 0 || PackageManagers.IsMicrosoftDotnetImage(settings.BaseImage));
            return new ImageChoice { SdkImage = sdk, RuntimeImage = settings.BaseImage, SelfContained = selfContained, Musl = musl, PackageManager = manager, ShellLess = shellLess };
        }

        var repository = selfContained ? "runtime-deps" : project.IsWeb ? "aspnet" : "runtime";
        string tag;
        var chiseledByDefault = false;
        if (family.Length > 0)
        {
            tag = $"{majorMinor}-{family}";
            // Microsoft's rule adds -extra to chiseled families; the distroless families have the same -extra variants,
            // and an app that needs ICU or time zones fails at run time without them.
            if ((family.EndsWith("-chiseled", StringComparison.Ordinal) || family.EndsWith("-distroless", StringComparison.Ordinal))
                && !musl && !project.InvariantGlobalization)
            {
                tag += "-extra";
            }
        }
        else if (musl)
        {
            tag = $"{majorMinor}-alpine";
        }
        else
        {
            // Unlike Microsoft.NET.Build.Containers, chiseled for every app, not only trimmed and AOT ones: half the
            // size, no shell, no package manager, non-root. -extra (ICU, tzdata) unless the app is globalization-invariant.
            tag = $"{majorMinor}-{chiseledDistro}-chiseled" + (project.InvariantGlobalization ? "" : "-extra");
            chiseledByDefault = !(project.PublishAot || project.PublishTrimmed);
        }

        var runtimeImage = Mirror($"{MicrosoftRegistry}/dotnet/{repository}:{tag}", settings.BaseImageRegistry);
        // Microsoft's chiseled and distroless tags: no package manager and, for the same reason, no shell.
        var packageManager = PackageManagers.OfFamily(tag);
        return new ImageChoice
        {
            SdkImage = sdk,
            RuntimeImage = runtimeImage,
            PackageManager = packageManager,
            RuntimeImageInferred = true,
            ShellLess = packageManager == PackageManager.None,
            MicrosoftDefaultImage = chiseledByDefault ? Mirror($"{MicrosoftRegistry}/dotnet/{repository}:{majorMinor}", settings.BaseImageRegistry) : null,
            SelfContained = selfContained,
            Musl = musl,
        };
    }

    /// <summary>
    /// The Ubuntu of the chiseled images, by the rule of Microsoft.NET.Build.Containers: <c>noble</c> from .NET SDK
    /// 8.0.300 on (a prerelease of 8.0.300 comes before it), <c>jammy</c> before. Without a readable SDK version, the
    /// first SDK of the target framework (<c>major.minor.100</c>) stands in: the oldest that can build the app.
    /// </summary>
    internal static string UbuntuForSdk(string sdkVersion, Version targetFramework)
    {
        var dash = sdkVersion.IndexOf('-');
        var prerelease = dash >= 0;
        if (!Version.TryParse(prerelease ? sdkVersion.Substring(0, dash) : sdkVersion, out var sdk) || sdk.Build < 0)
        {
            (sdk, prerelease) = (new Version(targetFramework.Major, targetFramework.Minor, 100), false);
        }

        var noble = new Version(8, 0, 300);
        return sdk > noble || (sdk == noble && !prerelease) ? "noble" : "jammy";
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
}
