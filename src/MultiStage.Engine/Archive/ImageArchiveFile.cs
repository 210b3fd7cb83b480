using System.IO.Compression;

namespace MultiStage.Engine.Archive;

/// <summary>
/// Writes an image archive to its path all at once or not at all: into a hidden temporary file beside it, renamed over
/// the path when complete, deleted when anything fails. Gzip-compressed when the name ends in .gz or .tgz.
/// </summary>
public static class ImageArchiveFile
{
    /// <summary>
    /// Writes <paramref name="dockerArchive"/> (the engine's <c>docker save</c> stream, read to its end) to
    /// <paramref name="path"/> as <paramref name="format"/>; returns the file's size. OCI stages the engine's files in
    /// a hidden folder beside the path until they are written.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a docker archive (OCI only: Docker's is written as it comes).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static async Task<long> WriteAsync(Stream dockerArchive, string path, ImageArchiveFormat format, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dockerArchive);
        var directory = Path.GetDirectoryName(path) ?? throw new IOException($"{path} names no file");
        Directory.CreateDirectory(directory);
        var hidden = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..12]);
        var temporary = hidden + ".partial";
        var staging = hidden + ".blobs";
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                var destination = ImageArchivePath.IsGzip(path) ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : (Stream)file;
                try
                {
                    if (format == ImageArchiveFormat.Oci)
                    {
                        Directory.CreateDirectory(staging);
                        await OciImageLayout.ConvertAsync(dockerArchive, destination, reference, staging, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await dockerArchive.CopyToAsync(destination, 1 << 16, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (destination != file)
                    {
                        await destination.DisposeAsync().ConfigureAwait(false);
                    }
                }

                // On the disk before the rename: a crash leaves the old archive or the new one, never a torn file.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return new FileInfo(path).Length;
        }
        finally
        {
            TryDelete(() => File.Delete(temporary));
            TryDelete(() => Directory.Delete(staging, recursive: true));
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind under a hidden name; the archive itself is either complete or absent.
        }
    }
}
