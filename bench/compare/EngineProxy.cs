using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MultiStage.Bench;

/// <summary>
/// A pass-through Unix socket in front of the Docker engine that counts the body bytes of POST …/build requests:
/// the build context our engine client uploads. The client reaches it through MultiStageDockerHost. Responses
/// are relayed untouched; requests are parsed only far enough to find where each body starts and ends.
/// </summary>
internal sealed class EngineProxy : IDisposable
{
    private readonly Socket _listener;
    private readonly EndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private long _buildBodyBytes;
    private int _buildRequests;

    public EngineProxy(string socketPath, EndPoint upstream)
    {
        SocketPath = socketPath;
        _upstream = upstream;
        File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(64);
        _ = Task.Run(AcceptLoop);
    }

    public string SocketPath { get; }

    public string Endpoint => "unix://" + SocketPath;

    /// <summary>Context bytes and build requests since the last call.</summary>
    public (long Bytes, int Requests) TakeCounts() =>
        (Interlocked.Exchange(ref _buildBodyBytes, 0), Interlocked.Exchange(ref _buildRequests, 0));

    /// <summary>The engine the docker CLI would use: DOCKER_HOST when it is a unix or tcp address, else the default socket.</summary>
    public static EndPoint DefaultUpstream()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "";
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint(host["unix://".Length..]);
        }

        if (host.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var uri = new Uri(host);
            return new DnsEndPoint(uri.Host, uri.Port);
        }

        return new UnixDomainSocketEndPoint("/var/run/docker.sock");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        File.Delete(SocketPath);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => Relay(client));
        }
    }

    private async Task Relay(Socket client)
    {
        using var clientSocket = client;
        using var server = new Socket(_upstream.AddressFamily == AddressFamily.Unix ? AddressFamily.Unix : AddressFamily.InterNetwork, SocketType.Stream, _upstream.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_upstream).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return;
        }

        using var fromClient = new NetworkStream(clientSocket, ownsSocket: false);
        using var toServer = new NetworkStream(server, ownsSocket: false);
        var responses = Task.Run(async () =>
        {
            try
            {
                await toServer.CopyToAsync(fromClient).ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
            finally
            {
                try
                {
                    clientSocket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                }
            }
        });

        try
        {
            await RelayRequests(new Input(fromClient), toServer).ConfigureAwait(false);
            server.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }

        await responses.ConfigureAwait(false);
    }

    private async Task RelayRequests(Input input, Stream output)
    {
        while (true)
        {
            var head = await input.ReadHead().ConfigureAwait(false);
            if (head is null)
            {
                return;
            }

            await output.WriteAsync(head).ConfigureAwait(false);
            var text = Encoding.ASCII.GetString(head);
            var lines = text.Split("\r\n");
            var request = lines[0].Split(' ');
            var path = request.Length > 1 ? request[1].Split('?')[0] : "";
            var isBuild = request[0] == "POST" && path.EndsWith("/build", StringComparison.Ordinal);
            if (isBuild)
            {
                Interlocked.Increment(ref _buildRequests);
            }

            long contentLength = 0;
            bool chunked = false, upgrade = false;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = true;
                }
                else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    upgrade = true;
                }
            }

            if (chunked)
            {
                while (true)
                {
                    var sizeLine = await input.ReadLine().ConfigureAwait(false) ?? throw new IOException("connection closed inside a chunked body");
                    await output.WriteAsync(sizeLine).ConfigureAwait(false);
                    var hex = Encoding.ASCII.GetString(sizeLine).Split(';')[0].Trim();
                    var size = Convert.ToInt64(hex, 16);
                    if (size == 0)
                    {
                        // Trailers, then the empty line that ends the body.
                        while (await input.ReadLine().ConfigureAwait(false) is { } trailer)
                        {
                            await output.WriteAsync(trailer).ConfigureAwait(false);
                            if (trailer.Length <= 2)
                            {
                                break;
                            }
                        }

                        break;
                    }

                    await input.CopyExactly(size + 2, output).ConfigureAwait(false);
                    if (isBuild)
                    {
                        Interlocked.Add(ref _buildBodyBytes, size);
                    }
                }
            }
            else if (contentLength > 0)
            {
                await input.CopyExactly(contentLength, output).ConfigureAwait(false);
                if (isBuild)
                {
                    Interlocked.Add(ref _buildBodyBytes, contentLength);
                }
            }

            if (upgrade)
            {
                // A hijacked connection (attach, session) carries a raw stream from here on.
                await input.CopyRest(output).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Buffered reads of request heads, lines and exact byte counts from the client.</summary>
    private sealed class Input(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadHead()
        {
            var head = new MemoryStream();
            while (true)
            {
                var line = await ReadLine().ConfigureAwait(false);
                if (line is null)
                {
                    return head.Length == 0 ? null : throw new IOException("connection closed inside a request head");
                }

                head.Write(line);
                if (line.Length <= 2 && head.Length > line.Length)
                {
                    return head.ToArray();
                }
            }
        }

        public async Task<byte[]?> ReadLine()
        {
            var line = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await Fill().ConfigureAwait(false))
                {
                    return line.Length == 0 ? null : line.ToArray();
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    line.Write(_buffer, _start, newline + 1 - _start);
                    _start = newline + 1;
                    return line.ToArray();
                }

                line.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
        }

        public async Task CopyExactly(long count, Stream output)
        {
            while (count > 0)
            {
                if (_start == _end && !await Fill().ConfigureAwait(false))
                {
                    throw new IOException("connection closed inside a request body");
                }

                var n = (int)Math.Min(count, _end - _start);
                await output.WriteAsync(_buffer.AsMemory(_start, n)).ConfigureAwait(false);
                _start += n;
                count -= n;
            }
        }

        public async Task CopyRest(Stream output)
        {
            if (_end > _start)
            {
                await output.WriteAsync(_buffer.AsMemory(_start, _end - _start)).ConfigureAwait(false);
                _start = _end;
            }

            await stream.CopyToAsync(output).ConfigureAwait(false);
        }

        private async Task<bool> Fill()
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer).ConfigureAwait(false);
            return _end > 0;
        }
    }
}
