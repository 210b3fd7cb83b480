using System.Diagnostics;
using System.Globalization;
using Docker.DotNet.Models;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>The build stage's cache image, pushed.</summary>
/// <param name="Reference">"registry/repository:tag" as pushed.</param>
/// <param name="Digest">The manifest digest the registry stored.</param>
/// <param name="Size">The build stage image's size in the engine (the SDK image's layers included, which the registry mostly has already).</param>
/// <param name="BuildTime">Wall time of the build stage's build.</param>
/// <param name="PushTime">Wall time of its push.</param>
public sealed record PushedBuildStageCache(string Reference, string Digest, long Size, TimeSpan BuildTime, TimeSpan PushTime);

public sealed partial class EngineClient
{
    /// <summary>
    /// Builds the build stage of <paramref name="image"/> with the inline cache and pushes it as <see cref="BuildStageCache.Reference"/>;
    /// call it after the image's own build, whose steps it then takes from the local cache. Its progress goes to
    /// <paramref name="log"/> at detailed verbosity only, and one line at normal says what was pushed. The local tags it
    /// made are removed after the push: the layers stay in the build cache and in the image's own layers.
    /// </summary>
    /// <exception cref="EngineException">As <see cref="BuildAsync"/> and <see cref="PushAsync"/>.</exception>
    public async Task<PushedBuildStageCache> PushBuildStageCacheAsync(BuildStageCache cache, BuildRequest image, string registry, ILog log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(log);
        var quiet = new DetailedLog(log);
        var request = cache.Request(image);
        var built = await BuildAsync(request, quiet, cancellationToken).ConfigureAwait(false);
        var pushing = Stopwatch.StartNew();
        PushResult pushed;
        try
        {
            pushed = await PushAsync(request.Repository!, [cache.Tag], registry, null, quiet, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also after a failed or cancelled push: the tags serve nothing here.
            await RemoveLocalTagsAsync([.. built.Tags, cache.Reference], quiet, CancellationToken.None).ConfigureAwait(false);
        }

        pushing.Stop();
        var tag = pushed.Tags[0];
        log.Info(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Pushed the build stage's cache {tag.Reference} ({FormatSize(built.Size)} with the SDK image's layers): built in {built.Duration.TotalSeconds:0.0}s, pushed in {pushing.Elapsed.TotalSeconds:0.0}s"),
            Verbosity.Normal);
        return new PushedBuildStageCache(tag.Reference, tag.Digest, built.Size, built.Duration, pushing.Elapsed);
    }

    /// <summary>Removes the tags (not the layers other images or the build cache hold); best effort, a failure is only logged.</summary>
    private async Task RemoveLocalTagsAsync(IEnumerable<string> references, ILog log, CancellationToken cancellationToken)
    {
        foreach (var reference in references.Distinct(StringComparer.Ordinal))
        {
            try
            {
                await _docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Info($"The local tag {reference} was left in place: {ex.Message}", Verbosity.Detailed);
            }
        }
    }

    /// <summary>Passes errors and warnings on, and every progress line at detailed verbosity: the cache is a side job of the image build.</summary>
    private sealed class DetailedLog(ILog inner) : ILog
    {
        public void Error(string code, string message, string? file = null) => inner.Error(code, message, file);

        public void Warning(string code, string message, string? file = null) => inner.Warning(code, message, file);

        public void Info(string message, Verbosity verbosity = Verbosity.Normal) => inner.Info(message, Verbosity.Detailed);
    }
}
