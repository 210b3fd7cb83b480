using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Docker.DotNet.X509;
using Google.Protobuf;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildKit.Protocol;
using MultiStage.Engine.Session;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>Builds, tags and pushes images through the Docker Engine API of one engine.</summary>
public sealed partial class EngineClient : IDisposable
{
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerClient _docker;
    private readonly Func<IReadOnlyDictionary<string, string>, DockerClient> _clientWithHeaders;
    private readonly Func<string, string?> _environment;
    private EngineInfo? _info;

    private EngineClient(EngineEndpoint endpoint, Func<IReadOnlyDictionary<string, string>, DockerClient> clientFactory, Func<string, string?> environment)
    {
        Endpoint = endpoint;
        _docker = clientFactory(new Dictionary<string, string>());
        _clientWithHeaders = clientFactory;
        _environment = environment;
    }

    /// <summary>The engine this client talks to.</summary>
    public EngineEndpoint Endpoint { get; }

    /// <summary>A client for the engine <see cref="EngineDiscovery"/> finds (see there for <paramref name="explicitEndpoint"/>).</summary>
    /// <exception cref="EngineException">MSTAGE202, MSTAGE203 or MSTAGE309 when the settings are unusable.</exception>
    public static EngineClient Create(string? explicitEndpoint = null) => Create(new EngineDiscovery().Discover(explicitEndpoint));

    /// <summary>A client for <paramref name="endpoint"/>. Nothing is sent until the first call.</summary>
    /// <exception cref="EngineException">MSTAGE202 when the TLS files cannot be loaded; MSTAGE203 for an unsupported address.</exception>
    public static EngineClient Create(EngineEndpoint endpoint) => Create(endpoint, Environment.GetEnvironmentVariable);

    internal static EngineClient Create(EngineEndpoint endpoint, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var uri = endpoint.Uri;
        if (uri.Scheme is not ("unix" or "npipe" or "tcp"))
        {
            throw new EngineException(EngineErrorCodes.EndpointInvalid, $"The engine address {endpoint.Describe()} has an unsupported scheme; use unix://, npipe:// or tcp://.");
        }

        var tlsCredentials = endpoint.Tls is { } tls ? CreateTlsCredentials(endpoint, tls) : null;
        DockerClient Build(IReadOnlyDictionary<string, string> headers)
        {
            // A fixed configuration keeps Docker.DotNet from reading DOCKER_HOST or config.json itself: discovery is ours.
            var builder = new DockerClientBuilder(new DockerConfig(new FixedCliSettings(uri.OriginalString))).WithEndpoint(uri).WithHeaders(headers);
            if (tlsCredentials is not null)
            {
                builder = builder.WithAuthProvider(tlsCredentials);
            }

            return builder.Build();
        }

        try
        {
            return new EngineClient(endpoint, Build, environment);
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
            _info = new EngineInfo(version.Version ?? string.Empty, version.APIVersion ?? string.Empty, version.Os ?? string.Empty, version.Arch ?? string.Empty);
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

    /// <summary>
    /// Builds an image. Progress goes to <paramref name="log"/> like <c>docker build</c> shows it (step output at
    /// <see cref="Verbosity.Detailed"/>); success ends with one summary line. The tags are applied by the engine only
    /// when the build succeeds; a cancelled build leaves none of them changed.
    /// </summary>
    /// <exception cref="EngineException">With an MSTAGE2xx code; see docs/errors-engine.md.</exception>
    public async Task<BuildResult> BuildAsync(BuildRequest request, ILog log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(log);
        var references = CheckBuildRequest(request);
        var stopwatch = Stopwatch.StartNew();

        // Independent requests, sent together from other threads: most of their time is first-use work on this side
        // (loading and compiling the client's code), which then runs on the other cores. The version is awaited first:
        // an engine that cannot be reached is reported as such, and stops the others.
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tagsTask = Task.Run(() => SnapshotTagsAsync(references, siblings.Token), CancellationToken.None);
        // Base images from private registries: the engine pulls them with the credentials sent along, as the CLI does.
        var pullTask = Task.Run(() => PullBaseImagesAsync(request, log, siblings.Token), CancellationToken.None);
        var configTask = Task.Run(() => RegistryConfigHeaderAsync(log, siblings.Token), CancellationToken.None);
        var infoTask = GetInfoAsync(cancellationToken);
        EngineInfo info;
        Dictionary<string, string?> previousTags;
        string? registryConfig;
        bool pulledBaseImages;
        try
        {
            try
            {
                info = await infoTask.ConfigureAwait(false);
            }
            catch
            {
                siblings.Cancel();
                await Settled(tagsTask, pullTask, configTask).ConfigureAwait(false);
                throw;
            }

            // All finished before any failure is reported, so nothing goes on after this build has given up.
            await Settled(tagsTask, pullTask, configTask).ConfigureAwait(false);
            previousTags = await tagsTask.ConfigureAwait(false);
            pulledBaseImages = await pullTask.ConfigureAwait(false);
            registryConfig = await configTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancelled(ex);
        }

        var builder = ChooseBuilder(request.Builder, info);

        // Secrets need a session; the build's client names it in its /build request.
        await using var session = await BuildSession.StartAsync(Endpoint, builder, request.Secrets, cancellationToken).ConfigureAwait(false);
        var buildHeaders = registryConfig is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["X-Registry-Config"] = registryConfig };
        using var buildClient = session?.CreateBuildClient(buildHeaders) ?? (registryConfig is null ? null : _clientWithHeaders(buildHeaders));

        var parameters = new ImageBuildParameters
        {
            Dockerfile = request.DockerfilePath,
            Tags = references.ToList(),
            BuildArgs = request.BuildArgs.ToDictionary(p => p.Key, p => p.Value),
            Labels = request.Labels.ToDictionary(p => p.Key, p => p.Value),
            Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform,
            Target = string.IsNullOrEmpty(request.TargetStage) ? null : request.TargetStage,
            NetworkMode = string.IsNullOrEmpty(request.NetworkMode) ? null : request.NetworkMode,
            NoCache = request.NoCache ? true : null,
            // Base images just pulled with credentials are fresh; BuildKit would pull them again, anonymously.
            Pull = request.Pull && !(pulledBaseImages && builder == BuilderKind.BuildKit) ? "1" : null,
            Remove = true,
            // The classic builder otherwise keeps the container of a failed step.
            ForceRemove = true,
            // Docker.DotNet passes "version" through: 2 runs BuildKit on the uploaded archive without a client session
            // (verified on Docker 20.10: no session is needed when the context is the request body).
            Version = builder == BuilderKind.BuildKit ? "2" : "1",
        };

        log.Info(
            $"Building {(references.Count > 0 ? string.Join(", ", references) : "an untagged image")} with {(builder == BuilderKind.BuildKit ? "BuildKit" : "the classic builder")} on {Endpoint.Uri.OriginalString}",
            Verbosity.Normal);

        using var requestCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        Exception? contextError = null;
        var contextTask = Task.Run(
            async () =>
            {
                try
                {
                    var destination = pipe.Writer.AsStream(leaveOpen: true);
                    await request.Context.WriteTarAsync(destination, requestCancellation.Token).ConfigureAwait(false);
                    await destination.FlushAsync(requestCancellation.Token).ConfigureAwait(false);
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    contextError = ex;
                    await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                }
            },
            CancellationToken.None);

        var parser = new BuildOutputParser(log, builder == BuilderKind.BuildKit ? new BuildKitProgress() : null);
        try
        {
            Stream response;
            try
            {
                // The raw-stream overload is marked obsolete in favour of one that parses each message into JSONMessage,
                // whose object-typed "aux" cannot hold BuildKit's base64 string: the raw stream is read here instead.
#pragma warning disable CS0618
                response = await (buildClient ?? _docker).Images.BuildImageFromDockerfileAsync(pipe.Reader.AsStream(), parameters, requestCancellation.Token).ConfigureAwait(false);
#pragma warning restore CS0618
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw BuildRequestFailure(ex, contextError);
            }

            await using (response.ConfigureAwait(false))
            {
                await ReadBuildStreamAsync(response, parser, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not EngineException { Code: EngineErrorCodes.ContextUnreadable })
        {
            await RestoreTagsAsync(previousTags, log).ConfigureAwait(false);
            throw Cancelled(ex);
        }
        finally
        {
            // The engine can answer before it has read the whole context (an early error): stop the writer.
            requestCancellation.Cancel();
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await contextTask.ConfigureAwait(false);
        }

        if (contextError is not null and not OperationCanceledException)
        {
            throw ContextFailure(contextError);
        }

        if (parser.Error is not null)
        {
            throw parser.Error;
        }

        var imageId = parser.ImageId ?? parser.ShortImageId;
        if (imageId is null)
        {
            throw new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The Docker engine at {Endpoint.Describe()} ended the build without reporting a result or an error; it may have stopped or restarted during the build. Check the engine's log and that it has enough memory and disk space, then build again.");
        }

        long size;
        try
        {
            var image = await _docker.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
            imageId = image.ID;
            size = image.Size;
        }
        catch (DockerApiException ex)
        {
            throw EngineFailures.Api(ex, $"describe the image {imageId} it has just built");
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            // The build itself has finished and its tags stay: only the report was cut short.
            throw new EngineException(EngineErrorCodes.BuildCancelled, $"The build was cancelled after the engine had finished it; the image {ShortId(imageId)} and its tags are in place.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw EngineFailures.Connection(ex, Endpoint) ?? EngineFailures.Unreachable(Endpoint, ex.Message, ex);
        }

        stopwatch.Stop();
        log.Info(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Built image {ShortId(imageId)}{(references.Count > 0 ? " tagged " + string.Join(", ", references) : string.Empty)}, {FormatSize(size)}, in {stopwatch.Elapsed.TotalSeconds:0.0}s"),
            Verbosity.Minimal);
        return new BuildResult(imageId, references, size, stopwatch.Elapsed, builder);
    }

    public void Dispose() => _docker.Dispose();

    /// <summary>Completes when every task has, whatever its outcome; each task's own result or failure is read afterwards.</summary>
    private static Task Settled(params Task[] tasks) =>
        Task.WhenAll(tasks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Pulls the request's base images the engine lacks (all with Pull); returns whether any were pulled.</summary>
    private async Task<bool> PullBaseImagesAsync(BuildRequest request, ILog log, CancellationToken cancellationToken)
    {
        var pulled = false;
        var resolver = new RegistryCredentialResolver(WithoutPushVariables, HomeDirectory());
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
            var progress = new PushProgress(log);
            try
            {
                await _docker.Images.CreateImageAsync(
                    new ImagesCreateParameters { FromImage = image, Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform },
                    ToAuthConfig(credentials, host),
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

    private string? WithoutPushVariables(string name) =>
        name is RegistryCredentialResolver.UserNameVariable or RegistryCredentialResolver.PasswordVariable ? null : _environment(name);

    private static AuthConfig ToAuthConfig(RegistryCredentials? credentials, string serverAddress) =>
        credentials is null
            ? new AuthConfig { ServerAddress = serverAddress }
            : new AuthConfig
            {
                ServerAddress = serverAddress,
                Username = credentials.IdentityToken is null ? credentials.Username : null,
                Password = credentials.IdentityToken is null ? credentials.Password : null,
                IdentityToken = credentials.IdentityToken,
            };

    /// <summary>
    /// The X-Registry-Config header: credentials of every registry the docker configuration knows ("auths" and
    /// "credHelpers" keys), base64url of a JSON map, as the docker CLI sends it. Null when there are none. A registry
    /// whose credentials cannot be had is left out (the pull then fails with its own error if it needs them).
    /// </summary>
    private async Task<string?> RegistryConfigHeaderAsync(ILog log, CancellationToken cancellationToken)
    {
        DockerConfigFile config;
        try
        {
            config = DockerConfigFile.Load(DockerConfigFile.ResolveDirectory(_environment, HomeDirectory()));
        }
        catch (EngineException ex)
        {
            log.Info($"Base image credentials are not sent: {ex.Message}", Verbosity.Detailed);
            return null;
        }

        var resolver = new RegistryCredentialResolver(WithoutPushVariables, HomeDirectory());
        var auths = new Dictionary<string, AuthConfig>(StringComparer.Ordinal);
        foreach (var key in config.Auths.Keys.Concat(config.CredHelpers.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                if (await resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false) is { } credentials)
                {
                    auths[key] = new AuthConfig
                    {
                        ServerAddress = key,
                        Username = credentials.IdentityToken is null ? credentials.Username : null,
                        Password = credentials.IdentityToken is null ? credentials.Password : null,
                        IdentityToken = credentials.IdentityToken,
                    };
                }
            }
            catch (EngineException ex)
            {
                log.Info($"Credentials for {key} are not sent with the build: {ex.Message}", Verbosity.Detailed);
            }
        }

        if (auths.Count == 0)
        {
            return null;
        }

        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(auths.ToDictionary(
            p => p.Key,
            p => new Dictionary<string, string?>
            {
                ["username"] = p.Value.Username,
                ["password"] = p.Value.Password,
                ["identitytoken"] = p.Value.IdentityToken,
                ["serveraddress"] = p.Value.ServerAddress,
            }.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value)));
        // The engine decodes this header as URL-safe base64.
        return Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_');
    }

    private static EngineException Cancelled(Exception inner) =>
        new(EngineErrorCodes.BuildCancelled, "The image build was cancelled; the engine stopped it and no tag was changed.", inner);

    internal BuilderKind ChooseBuilder(BuilderKind requested, EngineInfo info)
    {
        if (requested != BuilderKind.Auto)
        {
            return requested;
        }

        // As the docker CLI: DOCKER_BUILDKIT decides when set.
        var variable = _environment("DOCKER_BUILDKIT");
        if (!string.IsNullOrEmpty(variable))
        {
            if (variable is "0" or "false" or "False" or "FALSE")
            {
                return BuilderKind.Classic;
            }

            if (variable is "1" or "true" or "True" or "TRUE")
            {
                return BuilderKind.BuildKit;
            }
        }

        return info.SupportsBuildKit ? BuilderKind.BuildKit : BuilderKind.Classic;
    }

    private static IReadOnlyList<string> CheckBuildRequest(BuildRequest request)
    {
        if (request.Context is null)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, "The build request has no build context.");
        }

        if (string.IsNullOrWhiteSpace(request.DockerfilePath))
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, "The build request names no Dockerfile.");
        }

        if (request.Repository is null)
        {
            if (request.Tags.Count > 0)
            {
                throw new EngineException(EngineErrorCodes.InvalidRequest, "Image tags were given without a repository name to apply them to.");
            }

            return [];
        }

        if (ImageReference.CheckRepository(request.Repository) is { } repositoryProblem)
        {
            throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image repository '{request.Repository}' is not valid: {repositoryProblem}.");
        }

        var tags = request.Tags.Count == 0 ? ["latest"] : request.Tags;
        foreach (var tag in tags)
        {
            if (ImageReference.CheckTag(tag) is { } tagProblem)
            {
                throw new EngineException(EngineErrorCodes.InvalidRequest, $"The image tag is not valid: {tagProblem}.");
            }
        }

        return tags.Distinct(StringComparer.Ordinal).Select(tag => $"{request.Repository}:{tag}").ToArray();
    }

    private async Task ReadBuildStreamAsync(Stream response, BuildOutputParser parser, CancellationToken cancellationToken)
    {
        // Reads on the engine's socket do not all observe a token: closing the stream is what stops them.
        await using var registration = cancellationToken.Register(static state => ((Stream)state!).Dispose(), response).ConfigureAwait(false);
        using var reader = new StreamReader(response, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                parser.FeedLine(line);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not EngineException && EngineFailures.IsConnectionLoss(ex))
        {
            parser.Complete();
            if (parser.Error is not null)
            {
                // The engine reported the error and then closed the connection: the error is what matters.
                return;
            }

            throw new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The connection to the Docker engine at {Endpoint.Describe()} broke during the build ({ex.Message.TrimEnd('.')}); the engine may have stopped or restarted. Check the engine's log, then build again.",
                ex);
        }

        parser.Complete();
    }

    private EngineException BuildRequestFailure(Exception ex, Exception? contextError)
    {
        if (contextError is not null and not OperationCanceledException)
        {
            return ContextFailure(contextError);
        }

        if (ex is DockerApiException api)
        {
            var message = EngineFailures.EngineMessage(api.ResponseBody) ?? api.StatusCode.ToString();
            var parser = new BuildOutputParser(NullLog.Instance, null);
            if (message.Contains("Cannot locate specified Dockerfile", StringComparison.OrdinalIgnoreCase)
                || message.Contains("failed to read dockerfile", StringComparison.OrdinalIgnoreCase))
            {
                parser.FeedLine(System.Text.Json.JsonSerializer.Serialize(new { errorDetail = new { message } }));
                return parser.Error!;
            }

            if (api.StatusCode == HttpStatusCode.BadRequest)
            {
                return new EngineException(EngineErrorCodes.InvalidRequest, $"The Docker engine rejected the build request: {message.TrimEnd('.')}. Check the build options (platform, target stage, build arguments).", ex);
            }

            return EngineFailures.Api(api, "start the build");
        }

        return EngineFailures.Connection(ex, Endpoint)
            ?? new EngineException(
                EngineErrorCodes.EngineConnectionLost,
                $"The build request to the Docker engine at {Endpoint.Describe()} failed: {ex.Message.TrimEnd('.')}. Check that the engine is running and healthy, then build again.",
                ex);
    }

    private static EngineException ContextFailure(Exception ex)
    {
        var advice = ex switch
        {
            Context.DockerIgnoreException => "Fix the pattern in .dockerignore",
            DirectoryNotFoundException => "Check the build context directory",
            _ => "Fix the file's permissions, or exclude it in .dockerignore if the image does not need it",
        };
        return new EngineException(
            EngineErrorCodes.ContextUnreadable,
            $"The build context could not be sent: {ex.Message.TrimEnd('.')}. {advice}.",
            ex);
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

    /// <summary>What each tag points at before the build, so that a cancelled build can be undone exactly.</summary>
    private async Task<Dictionary<string, string?>> SnapshotTagsAsync(IReadOnlyList<string> references, CancellationToken cancellationToken)
    {
        var snapshot = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            snapshot[reference] = await TryGetImageIdAsync(reference, cancellationToken).ConfigureAwait(false);
        }

        return snapshot;
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

    /// <summary>
    /// The engine tags only after a build succeeds, so a cancelled build normally changed nothing; when it finished just
    /// as it was cancelled, its tags are put back to what they were.
    /// </summary>
    private async Task RestoreTagsAsync(Dictionary<string, string?> previous, ILog log)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        foreach (var (reference, before) in previous)
        {
            try
            {
                var now = await TryGetImageIdAsync(reference, timeout.Token).ConfigureAwait(false);
                if (now == before)
                {
                    continue;
                }

                if (before is null)
                {
                    await _docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters(), timeout.Token).ConfigureAwait(false);
                    log.Info($"Removed the tag {reference} that the cancelled build had applied.", Verbosity.Normal);
                }
                else
                {
                    var separator = reference.LastIndexOf(':');
                    await _docker.Images.TagImageAsync(before, new ImageTagParameters { RepositoryName = reference[..separator], Tag = reference[(separator + 1)..] }, timeout.Token).ConfigureAwait(false);
                    log.Info($"Put the tag {reference} back on {ShortId(before)} after the cancelled build.", Verbosity.Normal);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.Warning(EngineErrorCodes.BuildCancelled, $"The tag {reference} may still point at the image of the cancelled build: {ex.Message}. Check it with 'docker image inspect {reference}'.");
            }
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

    private static CertificateCredentials CreateTlsCredentials(EngineEndpoint endpoint, EngineTls tls)
    {
        X509Certificate2? clientCertificate = null;
        X509Certificate2? authority = null;
        try
        {
            if (tls.ClientCertificateFile is not null && tls.ClientKeyFile is not null)
            {
                clientCertificate = X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile);
                if (OperatingSystem.IsWindows())
                {
                    // SChannel needs the key in a persisted form to present the certificate.
                    clientCertificate = new X509Certificate2(clientCertificate.Export(X509ContentType.Pkcs12));
                }
            }

            if (tls.VerifyServer && tls.CaCertificateFile is not null)
            {
                authority = X509Certificate2.CreateFromPem(File.ReadAllText(tls.CaCertificateFile));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw EngineFailures.Tls(endpoint, $"the certificate files cannot be loaded ({ex.Message.TrimEnd('.')})", ex);
        }

        return new CertificateCredentials(clientCertificate)
        {
            ServerCertificateValidationCallback = CreateServerValidation(tls.VerifyServer, authority),
        };
    }

    internal static RemoteCertificateValidationCallback CreateServerValidation(bool verify, X509Certificate2? authority)
    {
        return (_, certificate, _, errors) =>
        {
            if (!verify)
            {
                return true;
            }

            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            if (authority is null)
            {
                return errors == SslPolicyErrors.None;
            }

            // ca.pem is the only trusted root, as for the docker CLI.
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }

    internal sealed class FixedCliSettings(string host) : IDockerCliSettings
    {
        public string? DockerConfig => null;

        public string? DockerHost => host;

        public string? DockerTlsVerify => null;

        public string? DockerContext => null;
    }

    private sealed class NullLog : ILog
    {
        public static readonly NullLog Instance = new();

        public void Error(string code, string message, string? file = null)
        {
        }

        public void Warning(string code, string message, string? file = null)
        {
        }

        public void Info(string message, Verbosity verbosity = Verbosity.Normal)
        {
        }
    }
}
