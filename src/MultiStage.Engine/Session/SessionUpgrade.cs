using System.Text;

namespace MultiStage.Engine.Session;

/// <summary>
/// The HTTP/1.1 request that turns an engine connection into a session (Engine API <c>POST /session</c>): the engine
/// answers 101 and from then on is the HTTP/2 gRPC client on the connection, calling the methods named here.
/// </summary>
internal static class SessionUpgrade
{
    /// <summary>Sends the upgrade request and reads the engine's answer up to the end of its headers.</summary>
    /// <exception cref="SessionRefusedException">The engine answered anything but 101 Switching Protocols.</exception>
    public static async Task UpgradeAsync(Stream connection, string sessionId, string sharedKey, IEnumerable<string> methods, CancellationToken cancellationToken)
    {
        await connection.WriteAsync(Request(sessionId, sharedKey, methods), cancellationToken).ConfigureAwait(false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);

        var head = await ReadHeadAsync(connection, cancellationToken).ConfigureAwait(false);
        var statusLine = head.Split("\r\n", 2)[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || parts[1] != "101")
        {
            throw new SessionRefusedException(statusLine);
        }
    }

    /// <summary>The shared key of a session that offers no files.</summary>
    public const string DefaultSharedKey = "multistage";

    internal static byte[] Request(string sessionId, string sharedKey, IEnumerable<string> methods)
    {
        var request = new StringBuilder()
            .Append("POST /session HTTP/1.1\r\n")
            .Append("Host: docker\r\n")
            .Append("Upgrade: h2c\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Content-Length: 0\r\n")
            .Append("X-Docker-Expose-Session-Uuid: ").Append(sessionId).Append("\r\n")
            .Append("X-Docker-Expose-Session-Name: multistage\r\n")
            // BuildKit keeps the files a session synced under this key and compares the next sync with them: one key
            // per context (FileSyncOffer.SharedKey), as the CLI derives one from the context's path.
            .Append("X-Docker-Expose-Session-Sharedkey: ").Append(sharedKey).Append("\r\n");
        foreach (var method in methods)
        {
            request.Append("X-Docker-Expose-Session-Grpc-Method: ").Append(method).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(request.Append("\r\n").ToString());
    }

    // Byte by byte: whatever follows the blank line is already HTTP/2 and must stay in the stream.
    private static async Task<string> ReadHeadAsync(Stream connection, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (head.Count > 64 * 1024 || await connection.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new SessionRefusedException(head.Count == 0 ? "no answer" : Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")[0]);
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }
}

/// <summary>The engine did not accept <c>POST /session</c>; the message is its status line.</summary>
internal sealed class SessionRefusedException(string answer) : Exception(answer);
