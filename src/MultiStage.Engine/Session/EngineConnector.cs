using System.IO.Pipes;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Session;

/// <summary>
/// Opens raw connections to an engine endpoint (unix socket, named pipe, tcp with or without TLS), with the same
/// settings the engine client uses: a session needs the connection itself, which Docker.DotNet does not hand out.
/// </summary>
internal sealed class EngineConnector
{
    private readonly EngineEndpoint _endpoint;
    private readonly EngineTlsFiles? _tls;

    /// <exception cref="EngineException">MSTAGE202 when the TLS files cannot be loaded.</exception>
    public EngineConnector(EngineEndpoint endpoint)
    {
        _endpoint = endpoint;
        _tls = endpoint.Tls is { } tls ? EngineTlsFiles.Load(endpoint, tls) : null;
    }

    public async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var uri = _endpoint.Uri;
        switch (uri.Scheme)
        {
            case "unix":
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(uri.LocalPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }

            case "npipe":
                // npipe://./pipe/docker_engine: the server is the host part, the pipe name follows "/pipe/".
                var pipe = new NamedPipeClientStream(uri.Host, uri.AbsolutePath["/pipe/".Length..], PipeDirection.InOut, PipeOptions.Asynchronous);
                await pipe.ConnectAsync(cancellationToken).ConfigureAwait(false);
                return pipe;

            default:
                var tcp = new TcpClient { NoDelay = true };
                try
                {
                    await tcp.ConnectAsync(uri.Host, uri.Port, cancellationToken).ConfigureAwait(false);
                    return _tls is null ? tcp.GetStream() : await AuthenticateAsync(tcp.GetStream(), uri.Host, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
        }
    }

    private async Task<Stream> AuthenticateAsync(NetworkStream inner, string host, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = EngineConnection.CreateServerValidation(_endpoint.Tls!.VerifyServer, _tls!.Authority),
            ClientCertificates = _tls.ClientCertificate is { } certificate ? new X509CertificateCollection { certificate } : null,
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
