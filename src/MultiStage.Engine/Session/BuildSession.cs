using Docker.DotNet;
using MultiStage.Engine.Client;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Engine.Session.Http2;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Session;

/// <summary>
/// A BuildKit session for one build: a connection upgraded with <c>POST /session</c> on which the engine calls back
/// for what the build needs from the client: its secrets, the credentials of the registries it pulls base images
/// from, and the files of its context. It lives from before the <c>/build</c> request, which names it, to the end of
/// the build; disposing it closes the connection and waits for its calls to end.
/// </summary>
/// <remarks>
/// The engine is the HTTP/2 gRPC client on the upgraded connection. Kestrel and Grpc.AspNetCore cannot serve it:
/// the ASP.NET Core shared framework is not there inside MSBuild. Grpc.Core's native server could, through a
/// local socket and a byte pump, but is deprecated and would ship native libraries per platform. A small HTTP/2
/// server (Http2/, Hpack/) does the job in managed code: unary calls, and the two-way stream of the file sync.
/// </remarks>
public sealed class BuildSession : IAsyncDisposable
{
    private readonly EngineEndpoint _endpoint;
    private readonly Stream _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly FileSyncService? _fileSync;

    private BuildSession(EngineEndpoint endpoint, string id, Stream connection, IReadOnlyDictionary<string, GrpcHandler> methods, FileSyncService? fileSync, FileSyncOffer? offer)
    {
        _endpoint = endpoint;
        Id = id;
        _connection = connection;
        _fileSync = fileSync;
        FileSyncOffer = offer;
        var server = new GrpcConnection(connection, methods);
        _serving = Task.Run(() => server.RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>The session id the build request names.</summary>
    public string Id { get; }

    /// <summary>
    /// Opens a session serving <paramref name="secrets"/> when there are any; null when there are none.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE219 for the classic builder; MSTAGE220 when the engine refuses the
    /// session; MSTAGE200-202 when the engine cannot be reached; MSTAGE215 when cancelled.</exception>
    public static Task<BuildSession?> StartAsync(EngineEndpoint endpoint, BuilderKind builder, IReadOnlyDictionary<string, byte[]> secrets, CancellationToken cancellationToken) =>
        secrets.Count == 0
            ? Task.FromResult<BuildSession?>(null)
            : StartAsync(endpoint, builder, new SessionServices(secrets, null, null, NullLog.Instance), cancellationToken);

    /// <summary>
    /// Opens a session serving <paramref name="services"/>, as <c>docker build</c> does for every BuildKit build.
    /// Null when the build must go without one: the classic builder, or an engine that refuses sessions (Podman),
    /// unless the build has secrets, which only a session can deliver.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE219 for secrets and the classic builder; MSTAGE220 when the engine
    /// refuses the session a build with secrets needs; MSTAGE200-202 when the engine cannot be reached; MSTAGE215 when cancelled.</exception>
    internal static async Task<BuildSession?> StartAsync(EngineEndpoint endpoint, BuilderKind builder, SessionServices services, CancellationToken cancellationToken)
    {
        var secrets = services.Secrets;

        if (builder == BuilderKind.Buildah)
        {
            if (secrets.Count == 0)
            {
                return null;
            }

            throw new EngineException(
                EngineErrorCodes.SecretsNeedBuildKit,
                $"The build has secrets ({string.Join(", ", secrets.Keys.Order(StringComparer.Ordinal))}), which only BuildKit's session can receive, but the engine is Podman: its Docker-compatible API builds with Buildah and takes no session. Build on a Docker engine with BuildKit, or with the Podman CLI: podman build {string.Join(" ", secrets.Keys.Order(StringComparer.Ordinal).Select(id => $"--secret id={id},src=<file>"))} ….");
        }

        if (builder != BuilderKind.BuildKit)
        {
            if (secrets.Count == 0)
            {
                return null;
            }

            var flags = string.Join(" ", secrets.Keys.Order(StringComparer.Ordinal).Select(id => $"--secret id={id},src=<file>"));
            throw new EngineException(
                EngineErrorCodes.SecretsNeedBuildKit,
                $"The build has secrets ({string.Join(", ", secrets.Keys.Order(StringComparer.Ordinal))}), which only BuildKit can mount, but the classic builder would run it. Let BuildKit run the build (unset DOCKER_BUILDKIT=0; Docker 18.09 or later on Linux), or build with the docker CLI: DOCKER_BUILDKIT=1 docker build {flags} ….");
        }

        var secretsService = new SecretsService(secrets);
        var methods = new Dictionary<string, GrpcHandler>
        {
            [SecretsService.GetSecretMethod] = GrpcReply.Unary(secretsService.GetSecretAsync),
            [HealthService.CheckMethod] = GrpcReply.Unary(HealthService.CheckAsync),
        };
        if (services.Credentials is { } credentials)
        {
            methods[AuthService.CredentialsMethod] = GrpcReply.Unary(new AuthService(credentials, services.Log).CredentialsAsync);
        }

        FileSyncService? fileSync = null;
        if (services.FileSync is { } offer)
        {
            fileSync = new FileSyncService(offer.Directories);
            methods[FileSyncService.DiffCopyMethod] = fileSync.DiffCopyAsync;
        }

        var id = Guid.NewGuid().ToString("N");
        Stream? connection = null;
        try
        {
            connection = await new EngineConnector(endpoint).ConnectAsync(cancellationToken).ConfigureAwait(false);
            await SessionUpgrade.UpgradeAsync(connection, id, services.FileSync?.SharedKey ?? SessionUpgrade.DefaultSharedKey, methods.Keys, cancellationToken).ConfigureAwait(false);
            var session = new BuildSession(endpoint, id, connection, methods, fileSync, services.FileSync);
            connection = null;
            return session;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new EngineException(EngineErrorCodes.BuildCancelled, "The image build was cancelled before it started; nothing was changed.", ex);
        }
        catch (SessionRefusedException ex) when (secrets.Count == 0)
        {
            services.Log.Info($"The Docker engine at {endpoint.Describe()} did not open a BuildKit session ({ex.Message.TrimEnd('.')}): the context goes as an archive and base images are pulled before the build.", Verbosity.Detailed);
            return null;
        }
        catch (SessionRefusedException ex)
        {
            throw Refused(endpoint, ex.Message, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not EngineException && EngineFailures.Connection(ex, endpoint) is { } failure)
        {
            throw failure;
        }
        catch (IOException ex) when (secrets.Count == 0)
        {
            services.Log.Info($"The Docker engine at {endpoint.Describe()} did not open a BuildKit session ({ex.Message.TrimEnd('.')}): the context goes as an archive.", Verbosity.Detailed);
            return null;
        }
        catch (IOException ex)
        {
            throw Refused(endpoint, ex.Message, ex);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What BuildKit pulled through the file sync so far; null when the session does not offer the context.</summary>
    internal FileSyncStatistics? FileSync => _fileSync?.Statistics;

    /// <summary>The context and Dockerfile offered through the file sync; null when the context goes as an archive.</summary>
    internal FileSyncOffer? FileSyncOffer { get; }

    /// <summary>A client whose <c>/build</c> requests name this session; <paramref name="headers"/> go with every request.</summary>
    public DockerClient CreateBuildClient(IReadOnlyDictionary<string, string> headers) => BuildQueryClient.Create(_endpoint, "session=" + Uri.EscapeDataString(Id), headers);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or Http2Exception)
        {
            // The build has ended; how its session ended no longer matters.
        }

        _stop.Dispose();
    }

    private static EngineException Refused(EngineEndpoint endpoint, string answer, Exception inner) =>
        new(
            EngineErrorCodes.SessionFailed,
            $"The Docker engine at {endpoint.Describe()} did not open a BuildKit session for the build's secrets ({answer.TrimEnd('.')}). Use Docker 18.09 or later with BuildKit, or build with the docker CLI and --secret.",
            inner);
}
