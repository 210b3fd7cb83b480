using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using MultiStage.Engine.Archive;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>A saved image archive.</summary>
/// <param name="Path">The archive's full path.</param>
/// <param name="Size">Its size in bytes, compressed when it is.</param>
public sealed record SavedArchive(string Path, long Size);

/// <summary>An image saved from the engine to a file (ContainerArchiveOutputPath).</summary>
public sealed partial class EngineClient
{
    /// <summary>
    /// Saves <paramref name="reference"/> (repository:tag) as the engine exports it (<c>GET /images/get</c>, streamed to
    /// disk) to <paramref name="path"/>, as a <c>docker load</c>-able archive or an OCI image layout.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE243 when the file cannot be written; MSTAGE244 when the engine's export fails or is no image archive; MSTAGE215 when cancelled.</exception>
    public async Task<SavedArchive> SaveImageAsync(string reference, string path, ImageArchiveFormat format, ILog log, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(log);
        var stopwatch = Stopwatch.StartNew();
        long size;
        try
        {
            Stream export;
            try
            {
                export = await _docker.Images.SaveImageAsync(reference, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw ExportFailed(reference, EngineFailures.EngineMessage(ex.ResponseBody) ?? ex.StatusCode.ToString(), ex);
            }

            // Failures reading the engine's stream are told apart from those writing the file by this wrapper.
            var source = new EngineReadStream(export);
            await using (source.ConfigureAwait(false))
            {
                size = await ImageArchiveFile.WriteAsync(source, path, format, reference, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw SaveCancelled(reference, path, ex);
        }
        catch (InvalidDataException ex)
        {
            throw ExportFailed(reference, $"what it sent is not an image archive: {ex.Message}", ex);
        }
        catch (EngineReadStream.ReadFailure ex)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw SaveCancelled(reference, path, ex);
            }

            throw EngineFailures.Connection(ex.InnerException!, Endpoint) ?? ExportFailed(reference, $"the transfer broke ({ex.InnerException!.Message.TrimEnd('.')})", ex.InnerException);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var advice = EngineFailures.IsDiskFull(ex.Message) ? "Free space on the disk that holds it" : "Check that its folder can be created and written, and that no folder has the archive's name";
            throw new EngineException(EngineErrorCodes.ArchiveNotWritten, $"The image archive {path} could not be written: {ex.Message.TrimEnd('.')}. {advice}; no partial file was left.", ex);
        }
        catch (Exception ex) when (ex is not EngineException and not OperationCanceledException and not EngineReadStream.ReadFailure)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }

        stopwatch.Stop();
        log.Info(string.Create(CultureInfo.InvariantCulture, $"Saved {reference} in {stopwatch.Elapsed.TotalSeconds:0.0}s."), Verbosity.Detailed);
        log.Info(
            $"Saved image {reference}{(format == ImageArchiveFormat.Oci ? " as an OCI image layout" : "")} to {path} ({FormatSize(size)})",
            Verbosity.Summary);
        return new SavedArchive(path, size);
    }

    private static EngineException SaveCancelled(string reference, string path, Exception inner) =>
        new(EngineErrorCodes.BuildCancelled, $"Saving {reference} to {path} was cancelled; the image is built and tagged, and no archive was written.", inner);

    private EngineException ExportFailed(string reference, string reason, Exception inner) =>
        new(
            EngineErrorCodes.ArchiveExportFailed,
            $"The Docker engine at {Endpoint.Describe()} could not export {reference} to save it: {reason.TrimEnd('.')}. The image is built and tagged; check the engine's log and disk space, then build again, or save it with 'docker save -o <path> {reference}'.",
            inner);
}
