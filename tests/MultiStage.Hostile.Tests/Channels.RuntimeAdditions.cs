using MultiStage.Diagnostics;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>The channels of what the runtime stage adds: OS packages (on a family with apt-get), files and writable folders.</summary>
internal static partial class Channels
{
    private static IEnumerable<Channel> RuntimeAdditions() => new[]
    {
        new Channel(Gen, "ContainerPackages", "@(ContainerPackage)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerFamily = "trixie-slim", Packages = new[] { new PackageItem(v, "") } }),
            Benign = "tini",
            // A Debian package name: lowercase letters, digits, + - . only; none of the hostile values is one.
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidPackage, emptyIsUnset: false),
            Carries = (g, v) => RunWords(g).Any(w => w.Contains(v)),
        },
        new Channel(Gen, "ContainerPackages%Version", "@(ContainerPackage) Version metadata", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerFamily = "trixie-slim", Packages = new[] { new PackageItem("tini", v) } }),
            Benign = "1:0.19.0-1+b3",
            // Empty: the newest version, the name alone.
            Expect = v => v.Hazards.HasFlag(Hazard.Empty) ? Expected.Exact : RefusesAllBut(_ => false, ErrorCodes.InvalidPackage)(v),
            Carries = (g, v) => RunWords(g).Any(w => w.Contains(v.Length == 0 ? "tini" : "tini=" + v)),
        },
        new Channel(Gen, "ContainerFiles", "@(ContainerFile) Include, a file of the project", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Files = new[] { new FileItem(v, "/etc/app/file", "") } }),
            Benign = "Program.cs",
            IsPath = true,
            // No file of the fixture has any of these names: each is a missing file.
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidContainerFile, emptyIsUnset: false),
        },
        new Channel(Gen, "ContainerFiles%Destination", "@(ContainerFile) Destination metadata, each value under /etc/app/", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Files = new[] { new FileItem(i.Project.ProjectPath.Replace("App.csproj", "Program.cs"), "/etc/app/" + v, "") } }),
            // A '..' component would leave the folder the item names (MSTAGE157).
            Expect = v => v.Text.Split('/').Contains("..") ? Expected.Refused(ErrorCodes.InvalidContainerFile)
                : CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact)(v),
            Carries = (g, v) => CopyDestinations(g).Contains("/etc/app/" + v),
        },
        new Channel(Gen, "ContainerFiles%Mode", "@(ContainerFile) Mode metadata", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Files = new[] { new FileItem(i.Project.ProjectPath.Replace("App.csproj", "Program.cs"), "/etc/app/file", v) } }),
            Benign = "0640",
            // An octal mode; empty keeps the file's own.
            Expect = v => v.Hazards.HasFlag(Hazard.Empty) ? Expected.Contained : RefusesAllBut(_ => false, ErrorCodes.InvalidContainerFile)(v),
        },
        new Channel(Gen, "ContainerWritableDirectories", "@(ContainerWritableDirectory), each value under /var/lib/", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { WritableDirectories = new[] { "/var/lib/" + v } }),
            Expect = v => v.Text.Split('/').Contains("..") ? Expected.Refused(ErrorCodes.InvalidContainerFile)
                : CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact)(v),
            // The folder is copied into as a folder: one trailing '/'.
            Carries = (g, v) => CopyDestinations(g).Contains(("/var/lib/" + v).TrimEnd('/') + "/"),
        },
    };

    /// <summary>The destination of each COPY of the final stage, with the word lexer's escapes removed.</summary>
    private static IReadOnlyList<string> CopyDestinations(Generated g) =>
        FinalAll(g, "COPY").Select(c => c.Json()).OfType<IReadOnlyList<string>>().Select(a => System.Text.RegularExpressions.Regex.Replace(a[^1], "\\\\(.)", "$1")).ToList();
}
