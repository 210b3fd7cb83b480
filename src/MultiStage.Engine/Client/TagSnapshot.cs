using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>What each tag of a build pointed at before it, so that a cancelled build can be undone exactly.</summary>
internal sealed class TagSnapshot
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string?> _before;
    private readonly Func<string, CancellationToken, Task<string?>> _findImage;

    private TagSnapshot(Dictionary<string, string?> before, Func<string, CancellationToken, Task<string?>> findImage)
    {
        _before = before;
        _findImage = findImage;
    }

    /// <summary>Records the image each of <paramref name="references"/> (the build's "repository:tag"s) names now.</summary>
    public static async Task<TagSnapshot> TakeAsync(IReadOnlyList<string> references, Func<string, CancellationToken, Task<string?>> findImage, CancellationToken cancellationToken)
    {
        var before = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            before[reference] = await findImage(reference, cancellationToken).ConfigureAwait(false);
        }

        return new TagSnapshot(before, findImage);
    }

    /// <summary>
    /// The engine tags only after a build succeeds, so a cancelled build normally changed nothing; when it finished just
    /// as it was cancelled, its tags are put back to what they were. Best effort: what fails is a warning.
    /// </summary>
    public async Task RestoreAsync(IImageOperations images, ILog log)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        foreach (var (reference, before) in _before)
        {
            try
            {
                var now = await _findImage(reference, timeout.Token).ConfigureAwait(false);
                if (now == before)
                {
                    continue;
                }

                if (before is null)
                {
                    await images.DeleteImageAsync(reference, new ImageDeleteParameters(), timeout.Token).ConfigureAwait(false);
                    log.Info($"Removed the tag {reference} that the cancelled build had applied.", Verbosity.Normal);
                }
                else
                {
                    var separator = reference.LastIndexOf(':');
                    await images.TagImageAsync(before, new ImageTagParameters { RepositoryName = reference[..separator], Tag = reference[(separator + 1)..] }, timeout.Token).ConfigureAwait(false);
                    log.Info($"Put the tag {reference} back on {EngineClient.ShortId(before)} after the cancelled build.", Verbosity.Normal);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.Warning(EngineErrorCodes.BuildCancelled, $"The tag {reference} may still point at the image of the cancelled build: {ex.Message}. Check it with 'docker image inspect {reference}'.");
            }
        }
    }
}
