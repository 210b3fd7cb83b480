using System.Security.Cryptography;
using System.Text;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Context;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>A build context directory, sent as the docker CLI sends it: .dockerignore applied, build files kept.</summary>
public sealed class DirectoryBuildContext : IBuildContextSource
{
    /// <param name="contextDirectory">Root of the build context.</param>
    /// <param name="dockerfilePath">The Dockerfile relative to the root, kept even when .dockerignore excludes it; null when it is not in the directory.</param>
    /// <param name="extraFiles">In-memory files added to the archive, e.g. a Dockerfile written elsewhere (see <see cref="BuildContext.GeneratedDockerfileName"/>).</param>
    /// <param name="ignore">Exclusions to apply instead of the directory's .dockerignore; the Dockerfile is kept either way.</param>
    public DirectoryBuildContext(string contextDirectory, string? dockerfilePath = WellKnownNames.Dockerfile, IReadOnlyCollection<BuildContextFile>? extraFiles = null, DockerIgnore? ignore = null)
    {
        ContextDirectory = contextDirectory;
        DockerfilePath = dockerfilePath;
        ExtraFiles = extraFiles ?? [];
        Ignore = ignore;
    }

    public string ContextDirectory { get; }

    public string? DockerfilePath { get; }

    public IReadOnlyCollection<BuildContextFile> ExtraFiles { get; }

    /// <summary>Exclusions given instead of the directory's .dockerignore, or null.</summary>
    public DockerIgnore? Ignore { get; }

    /// <summary>Patterns excluded on top of .dockerignore (or <see cref="Ignore"/>): files the build writes into the context, such as its image archive.</summary>
    public IReadOnlyList<string> AlsoExcluded { get; init; } = [];

    /// <summary>Bytes above which sending the context warns (<see cref="ContextSizeWarning"/>); 0, the default, never warns.</summary>
    public long SizeWarningThreshold { get; init; }

    /// <summary>Receives the size warning; none is given without it.</summary>
    public ILog? Log { get; init; }

    /// <summary>What the last <see cref="WriteTarAsync"/> sent.</summary>
    public BuildContextResult? LastResult { get; private set; }

    /// <exception cref="ContextFileException">A file of the context cannot be read.</exception>
    /// <exception cref="DockerIgnoreException">.dockerignore has a malformed pattern.</exception>
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken)
    {
        var ignore = EffectiveIgnore().KeepBuildFiles(DockerfilePath);
        LastResult = await BuildContext.WriteTarAsync(destination, ContextDirectory, ignore, await FirstEntriesAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (Log is not null && ContextSizeWarning.Message(LastResult, SizeWarningThreshold) is { } warning)
        {
            Log.Warning(EngineErrorCodes.LargeBuildContext, warning);
        }
    }

    /// <summary>
    /// The context as BuildKit's file sync takes it (the docker CLI's way): the folder under the name "context" with the
    /// exclusions of .dockerignore (or <see cref="Ignore"/>), and the Dockerfile alone under "dockerfile". Null when
    /// the context has in-memory files other than the Dockerfile, which only the archive can carry.
    /// </summary>
    /// <exception cref="DockerIgnoreException">.dockerignore has a malformed pattern.</exception>
    /// <exception cref="ContextFileException">The Dockerfile cannot be read.</exception>
    internal FileSyncOffer? ForFileSync()
    {
        if (DockerfilePath is null)
        {
            return null;
        }

        var dockerfile = GoPath.Clean(DockerfilePath.Replace('\\', '/'));
        if (ExtraFiles.Any(f => GoPath.Clean(f.Name.Replace('\\', '/')) != dockerfile))
        {
            return null;
        }

        var name = dockerfile[(dockerfile.LastIndexOf('/') + 1)..];
        var content = ExtraFiles.FirstOrDefault()?.Content.ToArray();
        var path = Path.Combine(ContextDirectory, dockerfile.Replace('/', Path.DirectorySeparatorChar));
        try
        {
            content ??= File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContextFileException(Path.GetFullPath(path), dockerfile, e);
        }

        // The Dockerfile comes from its own directory: the context does not need to hold it, as with `docker build`.
        var ignore = EffectiveIgnore();
        var directories = new Dictionary<string, FileSyncDirectory>(StringComparer.Ordinal)
        {
            [FileSyncService.ContextDirectory] = FileSyncDirectory.OnDisk(ContextDirectory, ignore),
            // A missing Dockerfile is an empty directory: BuildKit then reports the Dockerfile missing (MSTAGE216).
            [FileSyncService.DockerfileDirectory] = content is null ? FileSyncDirectory.InMemory() : FileSyncDirectory.InMemory((name, content)),
        };
        var key = string.Join('\0', new[] { Path.GetFullPath(ContextDirectory), dockerfile }.Concat(ignore.Patterns));
        var sharedKey = "multistage-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32].ToLowerInvariant();
        return new FileSyncOffer(directories, name, sharedKey);
    }

    private DockerIgnore EffectiveIgnore()
    {
        var ignore = Ignore ?? DockerIgnore.Load(ContextDirectory);
        return AlsoExcluded.Count == 0 ? ignore : DockerIgnore.FromPatterns(ignore.Patterns.Concat(AlsoExcluded));
    }

    /// <summary>Reports a context larger than <see cref="SizeWarningThreshold"/> that BuildKit synced through the session.</summary>
    internal void WarnIfLarge(BuildContextResult synced)
    {
        if (Log is not null && ContextSizeWarning.Message(synced, SizeWarningThreshold, synchronized: true) is { } warning)
        {
            Log.Warning(EngineErrorCodes.LargeBuildContext, warning);
        }
    }

    /// <summary>
    /// The Dockerfile goes first: BuildKit on Docker 20.10 sniffs the upload's first header to tell a tar from a bare
    /// Dockerfile, and takes an archive that opens with a PAX header (a long or non-ASCII name sorting first) for a
    /// Dockerfile. "Dockerfile" itself always fits a plain header.
    /// </summary>
    private async Task<IReadOnlyCollection<BuildContextFile>> FirstEntriesAsync(CancellationToken cancellationToken)
    {
        if (ExtraFiles.Count > 0 || DockerfilePath is null)
        {
            return ExtraFiles;
        }

        var path = Path.Combine(ContextDirectory, DockerfilePath.Replace('/', Path.DirectorySeparatorChar));
        if (!File.Exists(path))
        {
            return ExtraFiles;
        }

        var info = new FileInfo(path);
        return new[]
        {
            new BuildContextFile(DockerfilePath, await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                Mode = OperatingSystem.IsWindows() ? BuildContextFile.DefaultMode : File.GetUnixFileMode(path),
                ModificationTime = info.LastWriteTimeUtc,
            },
        };
    }
}
