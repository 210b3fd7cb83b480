using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Microsoft.Extensions.Logging;
using MultiStage.Engine.Session;

namespace MultiStage.Engine.Client;

/// <summary>
/// A Docker.DotNet client whose <c>/build</c> requests carry options Docker.DotNet's build parameters have no field
/// for: BuildKit's <c>session=&lt;id&gt;</c>, Podman's <c>layers=false</c>. The query is added by a handler of our own;
/// its connections are opened by <see cref="EngineConnector"/>, as the session's are.
/// </summary>
internal sealed class BuildQueryClient : IDockerHandlerFactory<BuildQueryClient.Options>
{
    private static readonly BuildQueryClient Factory = new();

    /// <param name="endpoint">The engine.</param>
    /// <param name="query">"name=value" pairs, escaped already, appended to the query of each <c>/build</c> request.</param>
    /// <param name="headers">Headers of every request.</param>
    public static DockerClient Create(EngineEndpoint endpoint, string query, IReadOnlyDictionary<string, string> headers) =>
        // As for the engine client: a fixed configuration keeps Docker.DotNet from reading DOCKER_HOST or config.json.
        new DockerClientBuilder(new DockerConfig(new EngineConnection.FixedCliSettings(endpoint.Uri.OriginalString)))
            .WithEndpoint(endpoint.Uri)
            .WithHeaders(headers)
            .WithTransportOptions(Factory, new Options(new EngineConnector(endpoint), query))
            .Build();

    public ResolvedTransport CreateHandler(Options transportOptions, ResolvedClientOptions clientOptions, ILogger logger)
    {
        var sockets = new SocketsHttpHandler
        {
            // TLS, when the endpoint has it, is inside the connector: the requests themselves are plain HTTP.
            ConnectCallback = async (_, cancellationToken) => await transportOptions.Connector.ConnectAsync(cancellationToken).ConfigureAwait(false),
            UseProxy = false,
        };
        return new ResolvedTransport(new BuildQueryHandler(transportOptions.Query, sockets), new Uri("http://docker"));
    }

    // Only the options-taking overload is called: WithTransportOptions gives the options.
    public ResolvedTransport CreateHandler(ResolvedClientOptions clientOptions, ILogger logger) =>
        throw new NotSupportedException("A build query client needs its options.");

    // Builds do not hijack the connection; attach and exec do, and they use the engine client's own transport.
    public Task<WriteClosableStream> HijackStreamAsync(HttpContent content) =>
        throw new NotSupportedException("A build query client does not hijack connections.");

    internal sealed record Options(EngineConnector Connector, string Query);

    /// <summary>Adds the query to build requests.</summary>
    internal sealed class BuildQueryHandler(string extraQuery, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.AbsolutePath.EndsWith("/build", StringComparison.Ordinal))
            {
                var query = uri.Query.Length > 1 ? uri.Query[1..] + "&" : string.Empty;
                request.RequestUri = new UriBuilder(uri) { Query = query + extraQuery }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
