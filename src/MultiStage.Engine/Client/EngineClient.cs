using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Google.Protobuf;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.BuildKit.Protocol;
using MultiStage.Logging;
using MultiStage.Model;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace MultiStage.Engine.Client;

/// <summary>
/// Builds, tags and pushes images through the Docker Engine API of one engine. This file holds the connection and the
/// image queries; a build is in EngineClient.Build.cs (its base image pulls in EngineClient.Pull.cs), a push in
/// EngineClient.Push.cs.
/// </summary>
public sealed partial class EngineClient : IDisposable
{
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerClient _docker;
    private readonly Func<IReadOnlyDictionary<string, string>, DockerClient> _clientWithHeaders;
    private readonly Func<string, string?> _environment;
    private readonly RegistryAuthentication _registryAuth;
    private EngineInfo? _info;

    private EngineClient(EngineEndpoint endpoint, Func<IReadOnlyDictionary<string, string>, DockerClient> clientFactory, Func<string, string?> environment)
    {
        Endpoint = endpoint;
        _docker = clientFactory(new Dictionary<string, string>());
        _clientWithHeaders = clientFactory;
        _environment = environment;
        _registryAuth = new RegistryAuthentication(environment);
    }

    /// <summary>The engine this client talks to.</summary>
    public EngineEndpoint Endpoint { get; }

    /// <summary>A client for the engine <see cref="EngineDiscovery"/> finds (see there for <paramref name="explicitEndpoint"/>).</summary>
    /// <exception cref="EngineException">MSTAGE202, MSTAGE203 or MSTAGE309 when the settings are unusable.</exception>
    public static EngineClient Create(string? explicitEndpoint = null) => Create(new EngineDiscovery().Discover(explicitEndpoint));

    /// <summary>A client for the engine <see cref="EngineDiscovery"/> finds with LocalRegistry <paramref name="localRegistry"/> (Docker, Podman or empty).</summary>
    /// <exception cref="EngineException">MSTAGE227 for an unknown LocalRegistry; otherwise as <see cref="Create(string?)"/>.</exception>
    public static EngineClient Create(string? explicitEndpoint, string? localRegistry) => Create(new EngineDiscovery().Discover(explicitEndpoint, localRegistry));

    /// <summary>A client for <paramref name="endpoint"/>. Nothing is sent until the first call.</summary>
    /// <exception cref="EngineException">MSTAGE202 when the TLS files cannot be loaded; MSTAGE203 for an unsupported address.</exception>
    public static EngineClient Create(EngineEndpoint endpoint) => Create(endpoint, Environment.GetEnvironmentVariable);

    internal static EngineClient Create(EngineEndpoint endpoint, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var clientFactory = EngineConnection.ClientFactory(endpoint);
        try
        {
            return new EngineClient(endpoint, clientFactory, environment);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new EngineException(EngineErrorCodes.EndpointInvalid, $"The engine address {endpoint.Describe()} cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>Asks the engine for its version; the first call that reaches the engine.</summary>
    /// <exception cref="EngineException">MSTAGE200/201/202 when the engine cannot be reached; MSTAGE204 when it answers with an error.</exception>
    public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        if (_info is not null)
        {
            return _info;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InfoTimeout);
        try
        {
            var version = await _docker.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
            _info = new EngineInfo(version.Version ?? string.Empty, version.APIVersion ?? string.Empty, version.Os ?? string.Empty, version.Arch ?? string.Empty)
            {
                // What the engine is, not which API version it claims: Podman names itself among its components.
                PodmanVersion = version.Components?.FirstOrDefault(c => string.Equals(c.Name, "Podman Engine", StringComparison.OrdinalIgnoreCase))?.Version,
            };
            return _info;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw EngineFailures.Unreachable(Endpoint, $"no answer within {InfoTimeout.TotalSeconds:0} seconds");
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, "report its version");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }
    }

    /// <summary>
    /// Runs, with the answers dropped, what a build of <paramref name="context"/> begins with: reading the context into
    /// an archive, reading a BuildKit progress message, asking for the version and inspecting <paramref name="images"/>.
    /// The first use of that code in a process spends ~0.2-0.3 s loading and compiling it; the inner loop pays it while
    /// the host compiles. Failures propagate: the caller ignores them, since the build reports its own.
    /// </summary>
    public async Task WarmUpAsync(IEnumerable<string> images, IBuildContextSource? context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var parser = new BuildOutputParser(NullLog.Instance, new BuildKitProgress());
        var time = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);
        var trace = new StatusResponse { Vertexes = { new Vertex { Digest = "sha256:0", Name = "warm-up", Started = time, Completed = time } } };
        parser.FeedLine($$"""{"id":"{{BuildKitProgress.TraceMessageId}}","aux":"{{trace.ToByteString().ToBase64()}}"}""");
        parser.FeedLine("""{"aux":{"ID":"sha256:0"}}""");
        parser.Complete();
        if (context is not null)
        {
            await context.WriteTarAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        await GetInfoAsync(cancellationToken).ConfigureAwait(false);
        foreach (var image in images)
        {
            await TryGetImageIdAsync(image, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The ID of the image a reference names in the engine, or null when the engine has no such image.</summary>
    /// <exception cref="EngineException">With an MSTAGE2xx code; see docs/errors-engine.md.</exception>
    public Task<string?> FindImageAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        return TryGetImageIdAsync(reference, cancellationToken);
    }

    /// <summary>
    /// Removes the tags of <paramref name="repository"/> that start with <paramref name="tagPrefix"/>, except
    /// <paramref name="keep"/>: superseded images of a series. Layers still used by other images stay. Best effort:
    /// a tag that cannot be removed is reported as a warning.
    /// </summary>
    public async Task RemoveOtherTagsAsync(string repository, string tagPrefix, string keep, ILog log, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(tagPrefix);
        ArgumentNullException.ThrowIfNull(log);
        IList<ImagesListResponse> images;
        try
        {
            images = await _docker.Images.ListImagesAsync(
                new ImagesListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [$"{repository}:{tagPrefix}*"] = true } } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.Warning(EngineErrorCodes.StaleImageNotRemoved, $"Could not list the older {repository}:{tagPrefix}* images to remove them: {ex.Message}");
            return;
        }

        var stale = images.SelectMany(i => i.RepoTags ?? [])
            .Where(t => t.StartsWith(repository + ":" + tagPrefix, StringComparison.Ordinal) && !string.Equals(t, keep, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var reference in stale)
        {
            try
            {
                await _docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters(), cancellationToken).ConfigureAwait(false);
                log.Info($"Removed {reference}, superseded by {keep}.", Verbosity.Detailed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Warning(EngineErrorCodes.StaleImageNotRemoved, $"Could not remove the superseded image {reference}: {ex.Message}");
            }
        }
    }

    private async Task<string?> TryGetImageIdAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return (await _docker.Images.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, $"describe the image {reference}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }
    }

    internal static string ShortId(string imageId)
    {
        var hex = imageId.StartsWith("sha256:", StringComparison.Ordinal) ? imageId[7..] : imageId;
        return hex.Length > 12 ? hex[..12] : hex;
    }

    internal static string FormatSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }

    public void Dispose() => _docker.Dispose();
}
