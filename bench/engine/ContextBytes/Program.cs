// Usage: ContextBytes <repo-root> <base-image> <big-file-MiB>
// Builds copies of testassets (console, webapi, multiproject) and a console folder holding a big random file (not
// excluded, then excluded by .dockerignore) through the Engine API with BuildKit, each twice: a first build and a
// rebuild after a one-line edit. Each case runs with the context sent as a tar archive (the path engines without
// sessions take, and every BuildKit build before the file sync) and synced through the session. Prints one markdown
// table row per case: the context bytes the client sent (BuildResult.Context.BytesSent) and the build request's time.
// The Dockerfile is "FROM <base-image>" + "COPY . /src/": it measures the context transfer, not a .NET build.
using System.Diagnostics;
using System.Globalization;
using MultiStage.Engine.Client;
using MultiStage.Logging;
using MultiStage.Model;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ContextBytes <repo-root> <base-image> <big-file-MiB>");
    return 2;
}

var repo = args[0];
var baseImage = args[1];
var bigMiB = int.Parse(args[2], CultureInfo.InvariantCulture);
var work = Directory.CreateTempSubdirectory("multistage-context-bytes-");
var nonce = Guid.NewGuid().ToString("N")[..8];
using var client = EngineClient.Create();
var tags = new List<string>();
try
{
    Console.WriteLine("| Context | Files on disk (sent) | Path | First build: bytes sent | time | After a one-line edit: bytes sent | time |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var asset in new[] { "console", "webapi", "multiproject" })
    {
        foreach (var synced in new[] { false, true })
        {
            await RunAsync(asset, asset, synced, big: false, excludeBig: false);
        }
    }

    foreach (var excludeBig in new[] { false, true })
    {
        foreach (var synced in new[] { false, true })
        {
            await RunAsync($"console + {bigMiB} MiB file{(excludeBig ? ", excluded" : string.Empty)}", "console", synced, big: true, excludeBig);
        }
    }

    return 0;
}
finally
{
    using var raw = new Docker.DotNet.DockerClientBuilder().Build();
    foreach (var tag in tags)
    {
        try
        {
            await raw.Images.DeleteImageAsync(tag, new Docker.DotNet.Models.ImageDeleteParameters());
        }
        catch (Docker.DotNet.DockerApiException)
        {
        }
    }

    work.Delete(recursive: true);
}

async Task RunAsync(string label, string asset, bool synced, bool big, bool excludeBig)
{
    var dir = Path.Combine(work.FullName, $"{asset}-{(synced ? "sync" : "tar")}-{(big ? excludeBig ? "bigx" : "big" : "plain")}");
    Copy(Path.Combine(repo, "testassets", asset), dir);
    var golden = Path.Combine(repo, "tests", "MultiStage.Sdk.Targets.Tests", "Golden", asset, "BuildKit", ".dockerignore");
    var ignore = File.Exists(golden) ? File.ReadAllText(golden) : "**/bin/\n**/obj/\n";
    if (big)
    {
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        var bytes = new byte[1 << 20];
        using var file = File.Create(Path.Combine(dir, "data", "big.bin"));
        for (var i = 0; i < bigMiB; i++)
        {
            Random.Shared.NextBytes(bytes);
            file.Write(bytes);
        }

        if (excludeBig)
        {
            ignore += "data/\n";
        }
    }

    File.WriteAllText(Path.Combine(dir, ".dockerignore"), ignore);
    File.WriteAllText(Path.Combine(dir, "Dockerfile"), $"FROM {baseImage}\nCOPY . /src/\n");
    var repository = $"multistage-bench/context-{nonce}";
    var tag = $"{asset}-{(synced ? "sync" : "tar")}{(big ? excludeBig ? "-bigx" : "-big" : string.Empty)}";
    tags.Add($"{repository}:{tag}");
    var edited = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
    var first = await BuildAsync(dir, repository, tag, synced);
    File.AppendAllText(edited, $"// bench edit {nonce}\n");
    var second = await BuildAsync(dir, repository, tag, synced);
    var onDisk = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count();
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"| {label} | {onDisk} ({second.Result.Context?.ContextFiles}) | {(synced ? "session file sync" : "tar archive")} | {Size(first.Result.Context!.BytesSent)} | {first.Seconds:0.00} s | {Size(second.Result.Context!.BytesSent)} | {second.Seconds:0.00} s |"));
}

async Task<(BuildResult Result, double Seconds)> BuildAsync(string dir, string repository, string tag, bool synced)
{
    var context = new DirectoryBuildContext(dir);
    var request = new BuildRequest
    {
        Context = synced ? context : new ArchiveOnly(context),
        Repository = repository,
        Tags = [tag],
        Builder = BuilderKind.BuildKit,
        NetworkMode = "none",
    };
    var stopwatch = Stopwatch.StartNew();
    var result = await client.BuildAsync(request, new QuietLog());
    return (result, stopwatch.Elapsed.TotalSeconds);
}

static void Copy(string from, string to)
{
    foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
    {
        var relative = Path.GetRelativePath(from, file);
        if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
        {
            continue;
        }

        var target = Path.Combine(to, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }
}

static string Size(long bytes) => bytes switch
{
    < 1024 => $"{bytes} B",
    < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
    _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB"),
};

/// <summary>The same context, but not recognisable as a folder: the client sends it as an archive.</summary>
internal sealed class ArchiveOnly(IBuildContextSource inner) : IBuildContextSource
{
    public Task WriteTarAsync(Stream destination, CancellationToken cancellationToken) => inner.WriteTarAsync(destination, cancellationToken);
}

internal sealed class QuietLog : ILog
{
    public void Error(string code, string message, string? file = null) => Console.Error.WriteLine($"error {code}: {message}");

    public void Warning(string code, string message, string? file = null) => Console.Error.WriteLine($"warning {code}: {message}");

    public void Info(string message, Verbosity verbosity = Verbosity.Normal)
    {
    }
}
