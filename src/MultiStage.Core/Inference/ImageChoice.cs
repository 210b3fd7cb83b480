namespace MultiStage.Inference;

/// <summary>The images of both stages and how the build stage must publish.</summary>
public sealed record ImageChoice
{
    public required string SdkImage { get; init; }
    public required string RuntimeImage { get; init; }
    /// <summary>True when the runtime image was inferred (a Microsoft image, so <c>APP_UID</c> is defined).</summary>
    public bool RuntimeImageInferred { get; init; }
    /// <summary>
    /// The runtime image is one of Microsoft's chiseled or distroless images: no shell, no package manager, no coreutils,
    /// and only the users <c>root</c> and <c>app</c> (1654).
    /// </summary>
    public bool ShellLess { get; init; }
    /// <summary>
    /// When chiseled was chosen where Microsoft.NET.Build.Containers would pick its full Debian/Ubuntu image: that image
    /// (the log names it once, as the way back). Null otherwise.
    /// </summary>
    public string? MicrosoftDefaultImage { get; init; }
    /// <summary>What installs ContainerPackage items in the runtime image.</summary>
    public PackageManager PackageManager { get; init; } = PackageManager.Unknown;
    /// <summary>runtime-deps: the app carries its runtime.</summary>
    public bool SelfContained { get; init; }
    /// <summary>The publish must target musl (alpine).</summary>
    public bool Musl { get; init; }
}
