using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Session;

/// <summary>
/// A Docker.DotNet client whose <c>/build</c> requests carry <c>session=&lt;id&gt;</c>. Docker.DotNet's build
/// parameters have no session field and escape every value, so the query is added by a handler of our own; its
/// connections are opened by <see cref="EngineConnector"/>, as the session's are.
/// </summary>
internal sealed class SessionBuildClient : IDockerHandlerFactory<SessionBuildClient.Options>
{
    private static readonly SessionBuildClient Factory = new();

    public static DockerClient Create(EngineEndpoint endpoint, string sessionId, IReadOnlyDictionary<string, string> headers) =>
        // As for the engine client: a fixed configuration keeps Docker.DotNet from reading DOCKER_HOST or config.json.
        new DockerClientBuilder(new DockerConfig(new EngineConnection.FixedCliSettings(endpoint.Uri.OriginalString)))
            .WithEndpoint(endpoint.Uri)
            .WithHeaders(headers)
            .WithTransportOptions(Factory, new Options(new EngineConnector(endpoint), sessionId))
            .Build();

    public ResolvedTransport CreateHandler(Options transportOptions, ResolvedClientOptions clientOptions, ILogger logger)
    {
        var sockets = new SocketsHttpHandler
        {
            // TLS, when the endpoint has it, is inside the connector: the requests themselves are plain HTTP.
            ConnectCallback = async (_, cancellationToken) => await transportOptions.Connector.ConnectAsync(cancellationToken).ConfigureAwait(false),
            UseProxy = false,
        };
        return new ResolvedTransport(new SessionQueryHandler(transportOptions.SessionId, sockets), new Uri("http://docker"));
    }

    // Only the options-taking overload is called: WithTransportOptions gives the options.
    public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
        throw new NotSupportedException("A session build client needs its session options.");

    // Builds do not hijack the connection; attach and exec do, and they use the engine client's own transport.
    public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) =>
        throw new NotSupportedException("A session build client does not hijack connections.");

    internal sealed record Options(EngineConnector Connector, string SessionId);

    /// <summary>Adds the session to build requests.</summary>
    internal sealed class SessionQueryHandler(string sessionId, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.AbsolutePath.EndsWith("/build", StringComparison.Ordinal))
            {
                var query = uri.Query.Length > 1 ? uri.Query[1..] + "&" : string.Empty;
                request.RequestUri = new UriBuilder(uri) { Query = query + "session=" + Uri.EscapeDataString(sessionId) }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
