using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// What the runtime stage adds to its base image before the app's layers, since it changes less often: OS packages
/// (ContainerPackage), then files (ContainerFile) and writable folders (ContainerWritableDirectory) owned by the app
/// user. Files and folders are COPYs only, so they work on images without a shell.
/// </summary>
public static class RuntimeAdditions
{
    /// <summary>The stage that holds nothing but an empty folder, the source of every writable folder.</summary>
    public const string EmptyStageName = "empty";

    /// <summary>The empty folder, made by WORKDIR: nothing runs, so the stage needs no shell and no emulation.</summary>
    public const string EmptyFolder = "/multistage/empty/";

    /// <summary>The empty stage, before the runtime stage; nothing without ContainerWritableDirectory items.</summary>
    public static IEnumerable<Instruction> EmptyStage(ResolvedSettings settings, ImageChoice images)
    {
        if (settings.WritableDirectories.Count == 0)
        {
            yield break;
        }

        yield return new Comment("An empty folder: each ContainerWritableDirectory is a COPY of it, owned by the app user, which needs no shell in the image.");
        yield return new From(images.RuntimeImage, EmptyStageName);
        yield return new Workdir(EmptyFolder);
        yield return new BlankLine();
    }

    /// <summary>The OS packages, in one RUN as root (a ContainerBaseImage may set another user; the stage's USER comes at its end).</summary>
    public static IEnumerable<Instruction> Packages(ResolvedSettings settings, ImageChoice images)
    {
        if (settings.Packages.Count == 0)
        {
            yield break;
        }

        yield return new Comment("OS packages (ContainerPackage), in a layer that changes only with this list.");
        if (!images.RuntimeImageInferred)
        {
            yield return new User("root");
        }

        yield return new Run(InstallCommand(images.PackageManager, settings.Packages));
    }

    /// <summary>The ContainerFile and ContainerWritableDirectory COPYs; <paramref name="contextPath"/> gives a file's path in the build context.</summary>
    public static IEnumerable<Instruction> FilesAndFolders(ResolvedSettings settings, ImageChoice images, Func<RuntimeFile, string> contextPath)
    {
        if (settings.Files.Count == 0 && settings.WritableDirectories.Count == 0)
        {
            yield break;
        }

        var owner = RuntimeStage.AppUser(settings, images).Name;
        yield return new Comment("Files and writable folders of the app user (ContainerFile, ContainerWritableDirectory): they change rarely.");
        foreach (var file in settings.Files)
        {
            yield return new Copy(new[] { contextPath(file) }, file.Destination, Chown: owner, Chmod: file.Mode);
        }

        foreach (var folder in settings.WritableDirectories)
        {
            yield return new Copy(new[] { EmptyFolder }, folder + "/", FromStage: EmptyStageName, Chown: owner);
        }
    }

    /// <summary>The manager's install command, every name and version one quoted argument, the package lists removed in the same layer.</summary>
    internal static ShellCommand InstallCommand(PackageManager manager, IReadOnlyList<OsPackage> packages)
    {
        var command = new ShellCommand();
        switch (manager)
        {
            case PackageManager.Apt:
                command.Raw("apt-get update").Then().Raw("DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends");
                break;
            case PackageManager.Apk:
                command.Raw("apk add --no-cache");
                break;
            case PackageManager.Tdnf:
                command.Raw("tdnf install -y");
                break;
            default:
                throw new ArgumentException($"No install command for {manager}: OsPackageChecks refuses it first.", nameof(manager));
        }

        // apt-get and apk pin with name=version, tdnf with name-version.
        var separator = manager == PackageManager.Tdnf ? "-" : "=";
        foreach (var package in packages)
        {
            command.Wrap().Arg(package.Version is { } version ? package.Name + separator + version : package.Name);
        }

        switch (manager)
        {
            case PackageManager.Apt:
                command.Then().Raw("rm -rf /var/lib/apt/lists/*");
                break;
            case PackageManager.Tdnf:
                command.Then().Raw("tdnf clean all");
                break;
        }

        return command;
    }
}
