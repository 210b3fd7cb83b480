namespace MultiStage.Engine.Context;

/// <summary>What <see cref="BuildContext.WriteTarAsync"/> sent.</summary>
/// <param name="BytesWritten">Bytes of the tar stream written to the destination, end-of-archive blocks included.</param>
/// <param name="Files">Regular file entries (added in-memory files included).</param>
/// <param name="Directories">Directory entries.</param>
/// <param name="Symlinks">Symbolic link entries.</param>
/// <param name="SkippedSpecialFiles">FIFOs, sockets and devices that were left out.</param>
public sealed record BuildContextResult(long BytesWritten, int Files, int Directories, int Symlinks, int SkippedSpecialFiles)
{
    /// <summary>The largest regular files sent, largest first (at most <see cref="ContextSizeWarning.LargestFileCount"/>).</summary>
    public IReadOnlyList<ContextFileSize> LargestFiles { get; init; } = [];
}
