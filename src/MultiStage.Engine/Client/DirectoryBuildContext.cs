using MultiStage.Engine.Context;

namespace MultiStage.Engine.Client;

/// <summary>A build context directory, sent as the docker CLI sends it: .dockerignore applied, build files kept.</summary>
public sealed class DirectoryBuildContext : IBuildContextSource
{
    /// <param name="contextDirectory">Root of the build context.</param>
    /// <param name="dockerfilePath">The Dockerfile relative to the root, kept even when .dockerignore excludes it; null when it is not in the directory.</param>
    /// <param name="extraFiles">In-memory files added to the archive, e.g. a Dockerfile written elsewhere (see <see cref="BuildContext.GeneratedDockerfileName"/>).</param>
    public DirectoryBuildContext(string contextDirectory, string? dockerfilePath = "Dockerfile", IReadOnlyCollection<BuildContextFile>? extraFiles = null)
    {
        ContextDirectory = contextDirectory;
        DockerfilePath = dockerfilePath;
        ExtraFiles = extraFiles ?? [];
    }

    public string ContextDirectory { get; }

    public string? DockerfilePath { get; }

    public IReadOnlyCollection<BuildContextFile> ExtraFiles { get; }

    /// <summary>What the last <see cref="WriteTarAsync"/> sent.</summary>
    public BuildContextResult? LastResult { get; private set; }

    /// <exception cref="ContextFileException">A file of the context cannot be read.</exception>
    /// <exception cref="DockerIgnoreException">.dockerignore has a malformed pattern.</exception>
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken)
    {
        var ignore = DockerIgnore.Load(ContextDirectory).KeepBuildFiles(DockerfilePath);
        LastResult = await BuildContext.WriteTarAsync(destination, ContextDirectory, ignore, ExtraFiles, cancellationToken).ConfigureAwait(false);
    }
}
