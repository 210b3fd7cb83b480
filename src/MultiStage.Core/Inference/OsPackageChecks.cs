using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Inference;

/// <summary>
/// ContainerPackage items against the runtime image's package manager, at generation: an image without one, an image
/// whose manager cannot be told, and names or versions that manager would not read as one package.
/// </summary>
public static class OsPackageChecks
{
    // Debian policy: lowercase letters, digits, + - . (two characters at least), and apt's :architecture qualifier.
    private static readonly Regex AptName = new("^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9][a-z0-9-]*)?\\z", RegexOptions.CultureInvariant);
    // apk and RPM names: letters, digits and + . _ -, starting with a letter or digit.
    private static readonly Regex OtherName = new("^[A-Za-z0-9][A-Za-z0-9+._-]*\\z", RegexOptions.CultureInvariant);
    // A version of any of the three (an epoch 1:, Debian's ~, apk's -r0, RPM's release), never an option or a word break.
    private static readonly Regex VersionRegex = new("^[A-Za-z0-9][A-Za-z0-9.+~:_-]*\\z", RegexOptions.CultureInvariant);
    private const int MaxLength = 255;

    /// <summary>False (the first problem logged) when the packages cannot be installed in the runtime image.</summary>
    public static bool Check(ResolvedSettings settings, ImageChoice images, ILog log)
    {
        if (settings.Packages.Count == 0)
        {
            return true;
        }

        var names = string.Join(", ", settings.Packages.Select(p => p.Name));
        switch (images.PackageManager)
        {
            case PackageManager.None:
                log.Error(ErrorCodes.NoPackageManager, $"ContainerPackage ({names}) needs a package manager, and the runtime image {images.RuntimeImage} (chiseled or distroless) has none. Choose a family that has one: ContainerFamily=noble or trixie-slim (apt-get), alpine (apk), azurelinux3.0 (tdnf); or a ContainerBaseImage that already holds the packages.");
                return false;
            case PackageManager.Unknown:
                log.Error(ErrorCodes.UnknownPackageManager, $"ContainerPackage ({names}): the package manager of ContainerBaseImage {images.RuntimeImage} cannot be told from its name. Set ContainerFamily to its distribution's family: bookworm-slim, trixie-slim, noble or jammy (apt-get), alpine (apk), azurelinux3.0 (tdnf).");
                return false;
        }

        var nameRule = images.PackageManager == PackageManager.Apt ? AptName : OtherName;
        foreach (var package in settings.Packages)
        {
            var problem = package.Name.Length > MaxLength || !nameRule.IsMatch(package.Name)
                ? $"'{package.Name}' is not a package name {Tool(images.PackageManager)} takes ({(images.PackageManager == PackageManager.Apt ? "lowercase letters, digits, '+', '-', '.'" : "letters, digits, '+', '-', '.', '_'")}, starting with a letter or digit)"
                : package.Version is { } version && (version.Length > MaxLength || !VersionRegex.IsMatch(version))
                    ? $"'{package.Name}' has Version '{version}', which is not a package version (letters, digits, '.', '+', '~', ':', '_', '-', starting with a letter or digit)"
                    : null;
            if (problem is not null)
            {
                log.Error(ErrorCodes.InvalidPackage, $"ContainerPackage {problem}.");
                return false;
            }
        }

        return true;
    }

    /// <summary>The command that installs packages with the manager, for messages.</summary>
    public static string Tool(PackageManager manager) => manager switch
    {
        PackageManager.Apt => "apt-get",
        PackageManager.Apk => "apk",
        PackageManager.Tdnf => "tdnf",
        _ => "a package manager",
    };
}
