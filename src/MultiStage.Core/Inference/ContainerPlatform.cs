namespace MultiStage.Inference;

/// <summary>
/// The image platform of a .NET runtime identifier, as an image index names it: linux-arm64 is os "linux",
/// architecture "arm64", variant "v8" (the convention of Docker's and BuildKit's indexes). The engine builds for
/// <see cref="BuildPlatform"/>, which sets the TARGETARCH the generated build stage publishes for.
/// </summary>
public sealed record ContainerPlatform(string RuntimeIdentifier, string Os, string Architecture, string? Variant)
{
    /// <summary>"os/architecture", the engine's build platform; the variant is implied (arm64 is v8, arm is v7).</summary>
    public string BuildPlatform => $"{Os}/{Architecture}";

    /// <summary>"os/architecture[/variant]", as users and registries write it.</summary>
    public override string ToString() => Variant is null ? BuildPlatform : $"{BuildPlatform}/{Variant}";

    /// <summary>The architecture part of .NET runtime identifiers, mapped to the names of GOARCH that images use.</summary>
    private static readonly Dictionary<string, (string Architecture, string? Variant)> Architectures = new(StringComparer.Ordinal)
    {
        ["x64"] = ("amd64", null),
        ["arm64"] = ("arm64", "v8"),
        ["arm"] = ("arm", "v7"),
        ["s390x"] = ("s390x", null),
        ["ppc64le"] = ("ppc64le", null),
    };

    /// <summary>
    /// The platform of <paramref name="runtimeIdentifier"/> (linux-x64, linux-musl-arm64, …); null with the reason in
    /// <paramref name="problem"/> for a RID that has no Linux container platform (win-x64, osx-arm64, linux-x86).
    /// </summary>
    public static ContainerPlatform? FromRuntimeIdentifier(string runtimeIdentifier, out string problem)
    {
        problem = "";
        var rid = runtimeIdentifier.Trim();
        var rest = rid.StartsWith("linux-musl-", StringComparison.Ordinal) ? rid["linux-musl-".Length..]
            : rid.StartsWith("linux-", StringComparison.Ordinal) ? rid["linux-".Length..]
            : null;
        if (rest is null)
        {
            problem = $"'{rid}' is not a Linux runtime identifier (linux-<arch> or linux-musl-<arch>)";
            return null;
        }

        if (!Architectures.TryGetValue(rest, out var arch))
        {
            problem = $"'{rid}' names an architecture no .NET container image is made for (use {string.Join(", ", Architectures.Keys)})";
            return null;
        }

        return new ContainerPlatform(rid, "linux", arch.Architecture, arch.Variant);
    }

    /// <summary>
    /// The platforms of ContainerRuntimeIdentifiers, in the order given, without duplicates; null (with the problem)
    /// when one has no platform, or when two name the same platform (linux-x64 and linux-musl-x64). Each entry is one
    /// RID: Sdk.targets splits the property (escaped or not) into items, the one place the list is split.
    /// </summary>
    public static IReadOnlyList<ContainerPlatform>? FromRuntimeIdentifiers(IEnumerable<string> runtimeIdentifiers, out string problem)
    {
        problem = "";
        var platforms = new List<ContainerPlatform>();
        foreach (var rid in runtimeIdentifiers.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (FromRuntimeIdentifier(rid, out problem) is not { } platform)
            {
                return null;
            }

            if (platforms.FirstOrDefault(p => p.BuildPlatform == platform.BuildPlatform) is { } same)
            {
                problem = $"'{same.RuntimeIdentifier}' and '{rid}' are the same image platform ({platform}); an index holds one image per platform";
                return null;
            }

            platforms.Add(platform);
        }

        return platforms;
    }
}
