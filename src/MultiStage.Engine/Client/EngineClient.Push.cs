using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Inference;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>One pushed tag.</summary>
/// <param name="Reference">"registry/repository:tag" as pushed.</param>
/// <param name="Digest">The manifest digest the registry stored, "sha256:…"; pull "registry/repository@digest" to get exactly this image.</param>
/// <param name="Size">Manifest size in bytes as the engine reports it.</param>
public sealed record PushedTag(string Reference, string Digest, long Size);

/// <summary>A successful push.</summary>
/// <param name="Repository">The repository pushed to, with its registry.</param>
/// <param name="Tags">Each pushed tag with its digest.</param>
public sealed record PushResult(string Repository, IReadOnlyList<PushedTag> Tags);

public sealed partial class EngineClient
{
    /// <summary>
    /// Pushes tags of a local image. <paramref name="image"/> is the local repository (e.g. "app" or "registry:5000/app");
    /// when <paramref name="registry"/> names another registry, each "image:tag" is first tagged as "registry/path:tag".
    /// Credentials, when not given, come from <see cref="RegistryCredentialResolver"/>; they are never logged.
    /// </summary>
    /// <exception cref="EngineException">With an MSTAGE3xx code (or MSTAGE200–204 when the engine itself fails); see docs/errors-engine.md.</exception>
    public async Task<PushResult> PushAsync(
        string image,
        IReadOnlyList<string> tags,
        string? registry,
        RegistryCredentials? credentials,
        ILog log,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(log);

        var (target, registryHost) = CheckPushRequest(image, tags, registry);
        try
        {
            await GetInfoAsync(cancellationToken).ConfigureAwait(false);
            if (registryHost is null)
            {
                // A name without a registry goes to the engine's default registry; its credentials are filed under the
                // index address the engine reports.
                var system = await _docker.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
                registryHost = RegistryCredentialResolver.NormalizeRegistry(system.IndexServerAddress);
            }

            credentials ??= await _registryAuth.ForPush().ResolveAsync(registryHost, cancellationToken).ConfigureAwait(false);
            log.Info(
                credentials is null ? $"Pushing to {target} without credentials" : $"Pushing to {target} with the {credentials}",
                Verbosity.Detailed);

            if (!string.Equals(target, image, StringComparison.Ordinal))
            {
                foreach (var tag in tags)
                {
                    await TagForPushAsync($"{image}:{tag}", target, tag, cancellationToken).ConfigureAwait(false);
                }
            }

            var auth = RegistryAuthentication.ToAuthConfig(credentials, registryHost);

            var pushed = new List<PushedTag>();
            foreach (var tag in tags)
            {
                pushed.Add(await PushTagAsync(target, tag, registryHost, auth, log, cancellationToken).ConfigureAwait(false));
            }

            return new PushResult(target, pushed);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            throw new EngineException(EngineErrorCodes.PushCancelled, $"The push to {target} was cancelled; the registry may hold some of the layers but no tag was completed by this push.", ex);
        }
    }

    private static (string Target, string? RegistryHost) CheckPushRequest(string image, IReadOnlyList<string> tags, string? registry)
    {
        if (tags.Count == 0)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, $"No tag of {image} was given to push.");
        }

        if (ImageReference.CheckRepository(image) is { } imageProblem)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image name '{image}' is not valid: {imageProblem}.");
        }

        foreach (var tag in tags)
        {
            if (ImageReference.CheckTag(tag) is { } tagProblem)
            {
                throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image tag is not valid: {tagProblem}.");
            }
        }

        var (imageRegistry, path) = ImageReference.SplitRegistry(image);
        if (string.IsNullOrWhiteSpace(registry))
        {
            return (image, imageRegistry);
        }

        var host = RegistryCredentialResolver.NormalizeRegistry(registry);
        var target = $"{host}/{path}";
        if (ImageReference.CheckRepository(target) is { } targetProblem)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, $"The registry '{registry}' is not valid: {targetProblem}.");
        }

        return (target, host);
    }

    private async Task TagForPushAsync(string source, string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            await _docker.Images.TagImageAsync(source, new ImageTagParameters { RepositoryName = repository, Tag = tag }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            throw new EngineException(EngineErrorCodes.PushImageNotFound, $"The image {source} to push does not exist in the engine at {Endpoint.Describe()}. Build it first, or check the name and tag.");
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, $"tag {source} as {repository}:{tag}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? PushConnectionLost(ex);
        }
    }

    private async Task<PushedTag> PushTagAsync(string repository, string tag, string registryHost, AuthConfig auth, ILog log, CancellationToken cancellationToken)
    {
        var reference = $"{repository}:{tag}";
        var progress = new ImageTransferProgress(log);
        try
        {
            await _docker.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, auth, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            throw new EngineException(EngineErrorCodes.PushImageNotFound, $"The image {reference} to push does not exist in the engine. Build it first, or check the name and tag.");
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new EngineException(EngineErrorCodes.PushImageNotFound, $"The image {reference} to push does not exist in the engine ({EngineFailures.EngineMessage(ex.ResponseBody)}). Build it first, or check the name and tag.");
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, $"push {reference}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested && ex is not EngineException)
        {
            if (progress.Error is not null)
            {
                // The engine reported why and then closed the stream: the report is what matters.
                throw PushFailure(progress.Error, reference, registryHost);
            }

            throw EngineFailures.Connection(ex, Endpoint) ?? PushConnectionLost(ex);
        }

        if (progress.Error is not null)
        {
            throw PushFailure(progress.Error, reference, registryHost);
        }

        if (progress.Digest is null)
        {
            throw new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The Docker engine at {Endpoint.Describe()} ended the push of {reference} without reporting a digest or an error; it may have stopped. Check the engine's log and push again.");
        }

        log.Info(string.Create(CultureInfo.InvariantCulture, $"Pushed {reference} ({progress.Digest})"), Verbosity.Minimal);
        return new PushedTag(reference, progress.Digest, progress.Size);
    }

    private EngineException PushConnectionLost(Exception ex)
    {
        return new EngineException(
            EngineErrorCodes.EngineConnectionLost,
            $"The connection to the Docker engine at {Endpoint.Describe()} broke during the push ({ex.Message.TrimEnd('.')}); the engine may have stopped. Check the engine's log, then push again.",
            ex);
    }

    /// <summary>Maps the engine's report of a failed push; registry answers reach us only as this text.</summary>
    internal static EngineException PushFailure(string message, string reference, string registry)
    {
        var text = message.TrimEnd('.', '\n');
        bool Has(string fragment) => text.Contains(fragment, StringComparison.OrdinalIgnoreCase);
        bool StatusCode(string code) => System.Text.RegularExpressions.Regex.IsMatch(text, $@"(?<![\d:.]){code}(?!\d)");

        if (Has("does not exist locally") || Has("tag does not exist") || Has("No such image"))
        {
            return new EngineException(EngineErrorCodes.PushImageNotFound, $"The image {reference} to push does not exist in the engine: {text}. Build it first, or check the name and tag.");
        }

        if (Has("server gave HTTP response to HTTPS client") || Has("x509:") || Has("tls:") || Has("certificate"))
        {
            return new EngineException(
                EngineErrorCodes.RegistryTls,
                $"The engine cannot talk TLS with the registry {registry} ({text}). If the registry serves plain HTTP, add it to \"insecure-registries\" in the engine's daemon.json; if it uses a private authority, install its certificate in /etc/docker/certs.d/{registry}/ca.crt.");
        }

        // A connection that never opened has no HTTP status: decide it before looking for status codes, which
        // would otherwise also match a port such as 40379.
        if (Has("connection refused") || Has("no such host") || Has("i/o timeout") || Has("network is unreachable") || Has("no route to host") || Has("dial tcp") || Has("connection reset"))
        {
            return new EngineException(
                EngineErrorCodes.RegistryUnreachable,
                $"The engine cannot reach the registry {registry} ({text}). Check the registry address, that it is running, and the engine's network and proxy settings.");
        }

        if (StatusCode("401") || Has("unauthorized") || Has("authentication required") || Has("no basic auth credentials") || Has("incorrect username or password"))
        {
            return new EngineException(
                EngineErrorCodes.RegistryUnauthorized,
                $"The registry {registry} refused the push of {reference}: authentication failed ({text}). Log in with 'docker login {registry}', or set {RegistryCredentialResolver.UserNameVariable} and {RegistryCredentialResolver.PasswordFileVariable} (the path of a file that holds the password).");
        }

        if (StatusCode("403") || Has("denied") || Has("forbidden"))
        {
            return new EngineException(
                EngineErrorCodes.RegistryDenied,
                $"The registry {registry} denied the push of {reference} ({text}). The credentials are valid but may not push to this repository: check its name and your permissions on it.");
        }

        if (ServerStatus().IsMatch(text) || Has("Internal Server Error") || Has("Bad Gateway") || Has("Service Unavailable") || Has("Gateway Timeout"))
        {
            return new EngineException(
                EngineErrorCodes.RegistryServerError,
                $"The registry {registry} failed while receiving {reference} ({text}). This is a registry-side error: retry later, or check the registry's health and storage.");
        }

        return new EngineException(EngineErrorCodes.PushFailed, $"The push of {reference} to {registry} failed: {text}.");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\d:.])5\d\d(?!\d)")]
    private static partial System.Text.RegularExpressions.Regex ServerStatus();
}
