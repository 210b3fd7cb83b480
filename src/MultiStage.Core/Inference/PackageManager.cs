using System.Text.RegularExpressions;

namespace MultiStage.Inference;

/// <summary>The OS package manager of a runtime image, which installs ContainerPackage items.</summary>
public enum PackageManager
{
    /// <summary>Neither the family nor the image's name tells (a ContainerBaseImage of another vendor).</summary>
    Unknown,
    /// <summary>Chiseled and distroless images: no package manager, no shell.</summary>
    None,
    /// <summary>Debian and Ubuntu.</summary>
    Apt,
    /// <summary>Alpine.</summary>
    Apk,
    /// <summary>Azure Linux (and CBL-Mariner).</summary>
    Tdnf,
}

/// <summary>
/// Tells the package manager from an image family or, for a ContainerBaseImage, from the image's name: the rule of
/// docs/runtime-image.md#os-packages. A name that tells nothing stays <see cref="PackageManager.Unknown"/>: guessing
/// apt-get would fail only inside the engine, and one ContainerFamily says it at generation.
/// </summary>
public static class PackageManagers
{
    // Checked in this order: a chiseled Ubuntu tag also names Ubuntu.
    private static readonly (Regex Pattern, PackageManager Manager)[] Rules =
    {
        (Word("chiseled|distroless|scratch"), PackageManager.None),
        (Word("alpine"), PackageManager.Apk),
        (Word("azurelinux|cbl-mariner|mariner"), PackageManager.Tdnf),
        (Word("debian|ubuntu|buster|bullseye|bookworm|trixie|forky|focal|jammy|noble|resolute"), PackageManager.Apt),
    };

    // Microsoft's .NET repositories, on mcr.microsoft.com or a mirror of it, up to the tag.
    private const string MicrosoftDotnetRepository = "(?:^|/)dotnet/(?:nightly/)?(?:runtime-deps|runtime|aspnet|sdk):";

    // Those with a version-only tag (10.0, 10.0.1, 10.0-preview) are Debian, as Microsoft publishes them.
    private static readonly Regex MicrosoftDebianDefault = new(
        MicrosoftDotnetRepository + "[0-9]+\\.[0-9]+(?:\\.[0-9]+)?(?:-(?:preview|rc)[0-9.]*)?(?:@|\\z)",
        RegexOptions.CultureInvariant);

    private static readonly Regex MicrosoftDotnet = new(MicrosoftDotnetRepository, RegexOptions.CultureInvariant);

    /// <summary>The package manager of an image family (<c>ContainerFamily</c>), which the tag carries.</summary>
    public static PackageManager OfFamily(string family) => Of(family);

    /// <summary>The package manager an image reference's repository and tag name; <see cref="PackageManager.Unknown"/> when they tell nothing.</summary>
    public static PackageManager OfImage(string image)
    {
        var byName = Of(WithoutRegistry(image));
        return byName == PackageManager.Unknown && MicrosoftDebianDefault.IsMatch(image) ? PackageManager.Apt : byName;
    }

    /// <summary>Whether the image is one of Microsoft's .NET images (<c>dotnet/runtime</c>, <c>aspnet</c>, …), on mcr.microsoft.com or a mirror.</summary>
    public static bool IsMicrosoftDotnetImage(string image) => MicrosoftDotnet.IsMatch(image);

    private static PackageManager Of(string text)
    {
        foreach (var (pattern, manager) in Rules)
        {
            if (pattern.IsMatch(text))
            {
                return manager;
            }
        }

        return PackageManager.Unknown;
    }

    /// <summary>The repository path and tag, without a digest or the registry host (a host named after a distribution says nothing about the image).</summary>
    private static string WithoutRegistry(string image)
    {
        var at = image.IndexOf('@');
        var name = at < 0 ? image : image.Substring(0, at);
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name.Substring(0, slash);
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? name.Substring(slash + 1) : name;
    }

    private static Regex Word(string alternatives) =>
        new("(?:^|[^a-z0-9])(?:" + alternatives + ")(?:[0-9.]*)(?:[^a-z0-9]|\\z)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
}
