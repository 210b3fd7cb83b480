using System.IO.Compression;
using System.Net;
using System.Text;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>
/// A NuGet v3 feed on 127.0.0.1 that serves one small package only to HTTP Basic credentials, and answers
/// anything else with 401 and <c>WWW-Authenticate: Basic</c>, as a private feed does.
/// </summary>
public sealed class AuthenticatedFeed : IDisposable
{
    public const string PackageId = "MultiStage.Test.Private";
    public const string PackageVersion = "1.0.0";

    private static readonly Lazy<byte[]> Package = new(BuildPackage);
    private readonly HttpListener _listener = new();
    private readonly string _expectedAuthorization;
    private readonly Task _loop;
    private int _packageDownloads;
    private int _rejected;

    public AuthenticatedFeed(string username, string password)
    {
        Username = username;
        Password = password;
        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
        Port = DockerCli.FreeLoopbackPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Username { get; }

    public string Password { get; }

    public int Port { get; }

    /// <summary>The service index, as a NuGet.config source value.</summary>
    public string IndexUrl => $"http://127.0.0.1:{Port}/v3/index.json";

    /// <summary>Downloads of the package that carried the right credentials.</summary>
    public int PackageDownloads => Volatile.Read(ref _packageDownloads);

    /// <summary>Requests answered with 401.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Respond(context);
            }
            catch (HttpListenerException)
            {
                // The client went away; the next request is served as usual.
            }
        }
    }

    private void Respond(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.Headers["Authorization"] != _expectedAuthorization)
        {
            Interlocked.Increment(ref _rejected);
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", "Basic realm=\"private feed\"");
            return;
        }

        var path = context.Request.Url!.AbsolutePath;
        var id = PackageId.ToLowerInvariant();
        var flat = $"/v3/flat/{id}/";
        if (path == "/v3/index.json")
        {
            Send(response, "application/json", $"{{\"version\":\"3.0.0\",\"resources\":[{{\"@id\":\"http://127.0.0.1:{Port}/v3/flat/\",\"@type\":\"PackageBaseAddress/3.0.0\"}}]}}");
        }
        else if (path == flat + "index.json")
        {
            Send(response, "application/json", $"{{\"versions\":[\"{PackageVersion}\"]}}");
        }
        else if (path == $"{flat}{PackageVersion}/{id}.{PackageVersion}.nupkg")
        {
            Interlocked.Increment(ref _packageDownloads);
            Send(response, "application/octet-stream", Package.Value);
        }
        else
        {
            response.StatusCode = 404;
        }
    }

    private static void Send(HttpListenerResponse response, string contentType, string body) => Send(response, contentType, Encoding.UTF8.GetBytes(body));

    private static void Send(HttpListenerResponse response, string contentType, byte[] body)
    {
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body, 0, body.Length);
    }

    /// <summary>A package restore accepts: a nuspec and one (empty-marker) lib folder. Built once per test run.</summary>
    private static byte[] BuildPackage()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, $"{PackageId}.nuspec",
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<package xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\">\n  <metadata>\n    <id>{PackageId}</id>\n    <version>{PackageVersion}</version>\n    <authors>tests</authors>\n    <description>Served only to authenticated requests.</description>\n  </metadata>\n</package>\n");
            Write(zip, "lib/netstandard2.0/_._", "");
        }

        return stream.ToArray();
    }

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }
}
