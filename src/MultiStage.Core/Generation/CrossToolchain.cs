using MultiStage.Dockerfiles;

namespace MultiStage.Generation;

/// <summary>
/// Native AOT links the app with the C toolchain of the target architecture. The SDK image runs on the build machine
/// (BUILDPLATFORM), so a build for another architecture needs that architecture's cross linker and libraries: the
/// packages Microsoft's cross-compilation guide installs on Ubuntu (a cross gcc and binutils, zlib of the target),
/// from the target architecture's Ubuntu archive. Running the SDK image emulated instead would need QEMU on every
/// build machine, and .NET is not supported under QEMU.
/// </summary>
internal static class CrossToolchain
{
    public const string Comment =
        "Native AOT links with the target's C toolchain. Building for another architecture than this machine's installs\n" +
        "its cross linker and libraries (as Microsoft's cross-compilation guide does); a native build skips this.";

    /// <summary>The RUN script: nothing when TARGETARCH is BUILDARCH; otherwise adds the target's Ubuntu archive and installs.</summary>
    public static ShellCommand Script() => new ShellCommand()
        .Raw("if [ \"$TARGETARCH\" != \"$BUILDARCH\" ]; then")
        .Wrap().Raw(". /etc/os-release")
        .Wrap().Raw("&& case \"$TARGETARCH\" in arm64) gnu=aarch64 archive=http://ports.ubuntu.com/ubuntu-ports ;;")
        .Wrap().Raw("*) gnu=x86-64 archive=http://archive.ubuntu.com/ubuntu ;; esac")
        .Wrap().Raw("&& sed -i \"/^Types:/a Architectures: $BUILDARCH\" /etc/apt/sources.list.d/ubuntu.sources")
        .Wrap().Raw("&& printf '%s\\n' 'Types: deb' \"URIs: $archive\" \"Suites: $VERSION_CODENAME $VERSION_CODENAME-updates\" 'Components: main universe'")
        .Wrap().Raw("\"Architectures: $TARGETARCH\" 'Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg' > /etc/apt/sources.list.d/target.sources")
        .Wrap().Raw("&& dpkg --add-architecture \"$TARGETARCH\"")
        .Wrap().Raw("&& apt-get update")
        .Wrap().Raw("&& apt-get install -y --no-install-recommends \"gcc-$gnu-linux-gnu\" \"binutils-$gnu-linux-gnu\" \"zlib1g-dev:$TARGETARCH\"")
        .Wrap().Raw("&& rm -rf /var/lib/apt/lists/*;")
        .Wrap().Raw("fi");
}
