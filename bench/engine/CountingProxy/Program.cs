// Usage: CountingProxy <listen-socket> <engine-socket> <stats-file>
// Forwards every connection made to <listen-socket> to <engine-socket> byte for byte (HTTP, hijacked BuildKit
// sessions and gRPC alike) and keeps "up=<client to engine> down=<engine to client> connections=<n> open=<n>" in
// <stats-file>, rewritten whenever a connection opens or closes. Readers take a snapshot before and after a command
// and subtract, once open=0: nothing is reset, so no count can be lost between snapshots.
using System.Globalization;
using System.Net.Sockets;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: CountingProxy <listen-socket> <engine-socket> <stats-file>");
    return 2;
}

string listenPath = args[0];
string enginePath = args[1];
string statsPath = args[2];
var stats = new Stats(statsPath);
stats.Write();

File.Delete(listenPath);
using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
listener.Bind(new UnixDomainSocketEndPoint(listenPath));
listener.Listen(64);

while (true)
{
    Socket client = await listener.AcceptAsync();
    _ = Task.Run(() => ServeAsync(client));
}

async Task ServeAsync(Socket client)
{
    using (client)
    {
        using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await engine.ConnectAsync(new UnixDomainSocketEndPoint(enginePath));
        }
        catch (SocketException ex)
        {
            Console.Error.WriteLine($"cannot reach the engine at {enginePath}: {ex.Message}");
            return;
        }

        stats.Opened();
        try
        {
            await Task.WhenAll(
                PumpAsync(client, engine, n => stats.AddUp(n)),
                PumpAsync(engine, client, n => stats.AddDown(n)));
        }
        finally
        {
            stats.Closed();
        }
    }
}

static async Task PumpAsync(Socket from, Socket to, Action<int> count)
{
    var buffer = new byte[128 * 1024];
    try
    {
        int read;
        while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            for (int sent = 0; sent < read;)
            {
                sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None);
            }

            count(read);
        }

        // Half-close passes through: a client that has finished sending may still be reading the answer.
        to.Shutdown(SocketShutdown.Send);
    }
    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
    {
        // One side went away: drop both, so the pump of the other direction ends too.
        from.Close();
        to.Close();
    }
}

internal sealed class Stats(string path)
{
    private readonly Lock _lock = new();
    private long _up;
    private long _down;
    private long _connections;
    private long _open;

    public void AddUp(int bytes) => Interlocked.Add(ref _up, bytes);

    public void AddDown(int bytes) => Interlocked.Add(ref _down, bytes);

    public void Opened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _open);
        Write();
    }

    public void Closed()
    {
        Interlocked.Decrement(ref _open);
        Write();
    }

    public void Write()
    {
        lock (_lock)
        {
            string text = string.Create(
                CultureInfo.InvariantCulture,
                $"up={Interlocked.Read(ref _up)} down={Interlocked.Read(ref _down)} connections={Interlocked.Read(ref _connections)} open={Interlocked.Read(ref _open)}\n");
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
    }
}
