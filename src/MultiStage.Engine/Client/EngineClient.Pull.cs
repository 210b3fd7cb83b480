using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Inference;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>The base images of a build, pulled with credentials before the build starts.</summary>
public sealed partial class EngineClient
{
    /// <summary>Pulls the request's base images the engine lacks (all with Pull); returns whether any were pulled.</summary>
    private async Task<bool> PullBaseImagesAsync(BuildRequest request, ILog log, CancellationToken cancellationToken)
    {
        var pulled = false;
        var resolver = _registryAuth.ForPull();
        foreach (var image in request.BaseImages.Distinct(StringComparer.Ordinal))
        {
            // "scratch" is no image, and a name with a build argument in it is only known to the builder.
            if (string.Equals(image, "scratch", StringComparison.OrdinalIgnoreCase) || image.Contains('$', StringComparison.Ordinal))
            {
                continue;
            }

            if (!request.Pull && await TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var registry = ImageReference.SplitRegistry(image).Registry;
            if (registry is null)
            {
                var system = await _docker.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
                registry = system.IndexServerAddress;
            }

            var host = RegistryCredentialResolver.NormalizeRegistry(registry);
            RegistryCredentials? credentials;
            try
            {
                credentials = await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                log.Info($"Pulling {image} without credentials: {ex.Message}", Verbosity.Detailed);
                credentials = null;
            }

            log.Info($"Pulling base image {image}", Verbosity.Normal);
            var progress = new ImageTransferProgress(log);
            try
            {
                await _docker.Images.CreateImageAsync(
                    new ImagesCreateParameters { FromImage = image, Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform },
                    RegistryAuthentication.ToAuthConfig(credentials, host),
                    progress,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new EngineException(
                    EngineErrorCodes.BaseImageUnavailable,
                    $"The base image {image} cannot be pulled: {EngineFailures.EngineMessage(ex.ResponseBody)?.TrimEnd('.')}. Check the image name and tag, and log in to {host} ('docker login {host}') if it is private.",
                    ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException)
            {
                throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
            }

            if (progress.Error is not null)
            {
                throw new EngineException(
                    EngineErrorCodes.BaseImageUnavailable,
                    $"The base image {image} cannot be pulled: {progress.Error.TrimEnd('.')}. Check the image name and tag, that the engine can reach {host}, and log in to it ('docker login {host}') if it is private.");
            }

            pulled = true;
        }

        return pulled;
    }
}
