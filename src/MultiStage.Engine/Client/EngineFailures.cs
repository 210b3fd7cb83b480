using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Docker.DotNet;

namespace MultiStage.Engine.Client;

/// <summary>Maps what the transport and Docker.DotNet throw to <see cref="EngineException"/>s that say what to do.</summary>
internal static class EngineFailures
{
    /// <summary>
    /// A failure to talk to the engine at all (connect, TLS), or null when <paramref name="exception"/> is not one.
    /// </summary>
    public static EngineException? Connection(Exception exception, EngineEndpoint endpoint)
    {
        var where = endpoint.Describe();
        foreach (var ex in Chain(exception))
        {
            if (ex is SocketException socket)
            {
                switch (socket.SocketErrorCode)
                {
                    case SocketError.AccessDenied:
                        return new EngineException(
                            EngineErrorCodes.SocketPermissionDenied,
                            $"Permission denied opening the Docker engine socket at {where}. Add your user to the group that owns the socket (usually 'docker': sudo usermod -aG docker $USER, then log in again), or use a rootless engine.",
                            exception);
                    case SocketError.ConnectionRefused:
                    case SocketError.AddressNotAvailable:
                    case SocketError.HostNotFound:
                    case SocketError.HostUnreachable:
                    case SocketError.NetworkUnreachable:
                    case SocketError.TryAgain:
                    case SocketError.NoData:
                    case SocketError.TimedOut:
                    case SocketError.ConnectionReset:
                    case SocketError.ConnectionAborted:
                    case SocketError.Shutdown:
                        return Unreachable(endpoint, SocketReason(endpoint, socket), exception);
                }
            }

            if (ex is AuthenticationException authentication)
            {
                return Tls(endpoint, authentication.Message, exception);
            }

            if (ex is FileNotFoundException or DirectoryNotFoundException && endpoint.Uri.Scheme == "unix")
            {
                return Unreachable(endpoint, $"no socket exists at {endpoint.Uri.LocalPath}", exception);
            }

            if (ex is UnauthorizedAccessException)
            {
                return new EngineException(
                    EngineErrorCodes.SocketPermissionDenied,
                    $"Permission denied opening the Docker engine at {where}: {ex.Message}. Give your user access to it (the 'docker' group on Linux).",
                    exception);
            }

            if (ex is TimeoutException && ex.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase))
            {
                return Unreachable(endpoint, ex.Message, exception);
            }
        }

        return null;
    }

    /// <summary>
    /// Why a connection failed, in words: on a unix socket the system's own text misleads (a missing socket file reads
    /// "Cannot assign requested address", a socket left behind by a stopped engine "Connection refused").
    /// </summary>
    private static string SocketReason(EngineEndpoint endpoint, SocketException socket)
    {
        if (endpoint.Uri.Scheme != "unix")
        {
            return socket.Message;
        }

        var path = endpoint.Uri.LocalPath;
        return socket.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable when !File.Exists(path) => $"no socket exists at {path} (no engine is running there)",
            SocketError.ConnectionRefused => $"the socket {path} exists but no engine answers on it (the engine stopped and left it behind)",
            _ => socket.Message,
        };
    }

    public static EngineException Unreachable(EngineEndpoint endpoint, string reason, Exception? inner = null)
    {
        return new EngineException(
            EngineErrorCodes.EngineUnreachable,
            $"Cannot reach the Docker engine at {endpoint.Describe()}: {reason.TrimEnd('.')}. Start the engine (Docker Desktop, 'sudo systemctl start docker', or Podman's socket service), or point DOCKER_HOST, the docker context or the engine endpoint property at a running one.",
            inner);
    }

    public static EngineException Tls(EngineEndpoint endpoint, string reason, Exception? inner = null)
    {
        return new EngineException(
            EngineErrorCodes.EngineTls,
            $"The TLS connection to the Docker engine at {endpoint.Describe()} failed: {reason.TrimEnd('.')}. Check DOCKER_CERT_PATH (or the context's TLS files): ca.pem must be the authority that signed the engine's certificate, cert.pem/key.pem a client certificate the engine trusts, and the host name must match the engine's certificate.",
            inner);
    }

    /// <summary>The engine answered a request with an error status.</summary>
    public static EngineException Api(DockerApiException exception, string operation)
    {
        var message = EngineMessage(exception.ResponseBody) ?? exception.StatusCode.ToString();
        return new EngineException(
            EngineErrorCodes.EngineApiError,
            $"The Docker engine refused to {operation} (HTTP {(int)exception.StatusCode}): {message.TrimEnd('.')}. "
            + (IsDiskFull(message) ? EngineDiskFullAdvice : "Check the request and the engine's log; an engine that is too old needs an update."),
            exception);
    }

    /// <summary>What the engine's disk being full asks of the user; messages that quote such an error end with it.</summary>
    public const string EngineDiskFullAdvice =
        "The engine's disk is full: free space where it keeps its data (docker builder prune, docker image prune; Docker Desktop: a larger virtual disk), then build again.";

    /// <summary>Whether an error text (of the engine, or of this machine's file system) says a disk is full (ENOSPC).</summary>
    public static bool IsDiskFull(string message) =>
        message.Contains("no space left on device", StringComparison.OrdinalIgnoreCase)
        || message.Contains("not enough space on the disk", StringComparison.OrdinalIgnoreCase);

    /// <summary>The "message" of an engine error body, or the body itself.</summary>
    public static string? EngineMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString();
            }
        }
        catch (JsonException)
        {
        }

        return body.Trim();
    }

    /// <summary>Whether the exception is the connection breaking (engine stopped, socket closed) rather than a protocol error.</summary>
    public static bool IsConnectionLoss(Exception exception) =>
        Chain(exception).Any(ex => ex is IOException or SocketException or HttpRequestException or ObjectDisposedException);

    public static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var ex = (Exception?)exception; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }

                yield break;
            }
        }
    }
}
