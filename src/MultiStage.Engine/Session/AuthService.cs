using MultiStage.Engine.Client;
using MultiStage.Engine.Session.Protocol;
using MultiStage.Logging;

namespace MultiStage.Engine.Session;

/// <summary>
/// BuildKit's registry auth service (moby/buildkit session/auth/auth.proto): when BuildKit pulls a base image from a
/// registry that asks for credentials, it asks the client for them, and the client answers from the docker
/// configuration (credHelpers, credsStore, auths) as <c>docker build</c> does. Only <c>Credentials</c> is served:
/// BuildKit asks <c>GetTokenAuthority</c> first and, answered Unimplemented, fetches registry tokens itself with
/// these credentials; it calls <c>FetchToken</c> and <c>VerifyTokenAuthority</c> only for a client that has an
/// authority (moby/buildkit util/resolver/authorizer.go).
/// </summary>
internal sealed class AuthService(RegistryCredentialResolver resolver, ILog log)
{
    public const string CredentialsMethod = "/moby.filesync.v1.Auth/Credentials";

    /// <summary>Where the docker CLI files Docker Hub's credentials; BuildKit asks for them by its registry host.</summary>
    private const string DockerHubKey = "https://index.docker.io/v1/";

    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public async Task<GrpcReply> CredentialsAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var host = CredentialsRequest.Parser.ParseFrom(request.Span).Host;
        var key = host is "registry-1.docker.io" or "docker.io" ? DockerHubKey : host;
        RegistryCredentials? credentials;
        try
        {
            credentials = await resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            // Anonymous, as when the docker configuration has nothing for the host: if the registry needs
            // credentials the pull fails with its own error (MSTAGE211), and this warning says why there were none.
            Report(host, () => log.Warning(EngineErrorCodes.SessionCredentialsUnavailable, $"BuildKit asked for the credentials of {host} to pull a base image, and they could not be read: {ex.Message.TrimEnd('.')}. The image is pulled without credentials."));
            return GrpcReply.Ok(new CredentialsResponse());
        }

        Report(host, () => log.Info(credentials is null
            ? $"BuildKit asked for the credentials of {host}: the docker configuration has none, pulling anonymously."
            : $"BuildKit asked for the credentials of {host}: answering with {credentials}.", Verbosity.Detailed));
        if (credentials is null)
        {
            return GrpcReply.Ok(new CredentialsResponse());
        }

        // An identity token goes in place of the password with no user name, as the docker CLI's auth provider does.
        return GrpcReply.Ok(credentials.IdentityToken is { } token
            ? new CredentialsResponse { Secret = token }
            : new CredentialsResponse { Username = credentials.Username, Secret = credentials.Password });
    }

    // BuildKit asks once per registry and pull; a build that pulls several images says so once.
    private void Report(string host, Action report)
    {
        lock (_reported)
        {
            if (!_reported.Add(host))
            {
                return;
            }
        }

        report();
    }
}
