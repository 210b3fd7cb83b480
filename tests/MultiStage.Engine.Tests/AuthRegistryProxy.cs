using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MultiStage.Engine.Tests;

/// <summary>
/// A registry that demands credentials: HTTP Basic authentication in front of the test registry on 127.0.0.1:5000,
/// on an ephemeral port of 127.0.0.1. A request without the right Authorization header gets 401 and the Basic
/// challenge, as registry:2 with htpasswd answers; a right one is passed through, one request per connection.
/// </summary>
internal sealed class AuthRegistryProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _expected;
    private readonly Task _accepting;
    private int _authorized;
    private int _refused;

    public AuthRegistryProxy(string user, string password)
    {
        _expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>host:port of the proxy, as an image reference's registry part.</summary>
    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests that carried the right credentials.</summary>
    public int Authorized => _authorized;

    /// <summary>Requests refused with 401.</summary>
    public int Refused => _refused;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                serving.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(serving);
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                var head = await ReadHeadAsync(client);
                if (head is null)
                {
                    return;
                }

                var lines = head.Split("\r\n").Where(l => l.Length > 0).ToList();
                var authorization = lines.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p[0].Trim().Equals("Authorization", StringComparison.OrdinalIgnoreCase))?[1].Trim();
                if (authorization != _expected)
                {
                    Interlocked.Increment(ref _refused);
                    await client.SendAsync(Encoding.ASCII.GetBytes(
                        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nDocker-Distribution-Api-Version: registry/2.0\r\n" +
                        "WWW-Authenticate: Basic realm=\"multistage-test\"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
                    return;
                }

                Interlocked.Increment(ref _authorized);
                using var registry = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await registry.ConnectAsync(IPAddress.Loopback, 5000);
                var forwarded = lines.Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)).Append("Connection: close");
                await registry.SendAsync(Encoding.ASCII.GetBytes(string.Join("\r\n", forwarded) + "\r\n\r\n"));
                await Task.WhenAll(PumpAsync(client, registry), PumpAsync(registry, client));
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    // Byte by byte up to the blank line: the rest of the connection is passed through untouched.
    private static async Task<string?> ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (head.Count > 64 * 1024 || await socket.ReceiveAsync(one) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
