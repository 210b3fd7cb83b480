using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Context;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Builds the same awkward context twice, with <c>DOCKER_BUILDKIT=1 docker build</c> and by posting this project's context
/// archive to the Engine API, each with <c>FROM scratch</c> + <c>COPY . /ctx/</c>, and compares what landed in the images.
/// The Engine API does not apply .dockerignore to an uploaded archive, so any difference is the matcher's or the walk's.
/// </summary>
[TestClass]
[TestCategory("Engine")]
[UnsupportedOSPlatform("windows")]
public sealed class ContextDifferentialTests
{
    private const string SocketPath = "/var/run/docker.sock";
    private const string DockerCli = "/usr/bin/docker";

    private const string General = """
        # comment line
        *.log
        !important.log
        docs/**
        /bin
        obj/
        keepdir
        !keepdir/keep.txt
        */temp*
        a?c
        [a-c]x
        dir with space/*
        café/*.md
        \[x\]
        **/node_modules
        star\*name.txt
          .config  
        """;

    private const string Exceptions = """
        **
        !util/docker/web
        util/docker/web/foo
        !Dockerfile
        !.dockerignore
        !dir with space/**
        !日本語
        !long
        """;

    // Not here: "a/b" followed by "!a". Current BuildKit (fsutil with patternmatcher's MatchesUsingParentResults) and
    // this project exclude a/b; the Debian 20.10 client's older walker re-includes it. The unit tests pin the current rule.
    private const string Order = """
        a
        !a/b
        keepdir/*
        !keepdir/inner
        *.txt
        !**/keep.txt
        /link
        """;

    private const string BuildFilesExcluded = """
        Dockerfile
        .dockerignore
        **/*.md
        """;

    private string _root = null!;
    private readonly List<string> _images = new();

    [TestInitialize]
    public void Initialize()
    {
        if (!File.Exists(SocketPath))
        {
            Assert.Fail($"The Docker engine socket {SocketPath} does not exist: start dockerd (eng/testenv/up.sh) before running the Engine tests.");
        }

        if (!File.Exists(DockerCli))
        {
            Assert.Fail($"{DockerCli} (the Debian docker.io client) is required by the Engine tests.");
        }

        _root = ContextTestSupport.CreateTempDirectory();
    }

    [TestCleanup]
    public void Cleanup()
    {
        foreach (string image in _images)
        {
            TryDocker("rmi", "-f", image);
        }

        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("general", General)]
    [DataRow("exceptions", Exceptions)]
    [DataRow("order", Order)]
    public async Task ApiBuildOfContextArchive_CopiesWhatTheCliCopies(string name, string dockerignore)
    {
        CreateAwkwardTree(dockerignore);
        DockerIgnore ignore = DockerIgnore.Load(_root).KeepBuildFiles("Dockerfile", keepIgnoreFile: false);

        List<string> cli = BuildWithCliAndList(name);
        (List<string> api, List<string> sent) = await BuildWithApiAndListAsync(name, ignore);

        Assert.IsGreaterThan(5, cli.Count, "the CLI image holds the context");
        CollectionAssert.AreEqual(cli, api, Difference(cli, api));
        CollectionAssert.AreEqual(Names(cli), sent, Difference(Names(cli), sent));
    }

    [TestMethod]
    public async Task ExcludedDockerfile_IsTheOnlyExtraFileOfTheApiBuild()
    {
        CreateAwkwardTree(BuildFilesExcluded);
        DockerIgnore ignore = DockerIgnore.Load(_root).KeepBuildFiles("Dockerfile", keepIgnoreFile: false);

        List<string> cli = BuildWithCliAndList("buildfiles");
        (List<string> api, _) = await BuildWithApiAndListAsync("buildfiles", ignore);

        // BuildKit reads the Dockerfile from the uploaded archive, which nothing filters afterwards.
        Assert.IsFalse(cli.Any(e => e.EndsWith(" ctx/Dockerfile", StringComparison.Ordinal)));
        Assert.IsFalse(api.Any(e => e.EndsWith(" ctx/.dockerignore", StringComparison.Ordinal)));
        var extra = api.Except(cli).ToArray();
        Assert.HasCount(1, extra, string.Join(", ", extra));
        StringAssert.EndsWith(extra[0], " ctx/Dockerfile");
        Assert.IsEmpty(cli.Except(api));
    }

    private void CreateAwkwardTree(string dockerignore)
    {
        string[] files =
        {
            "a.txt", "abc", "aXc", "a/b", "a/c", "ax", "bx", "dx", "x", "[x]", "star*name.txt", "question?.txt",
            "debug.log", "important.log", "sub/debug.log", "sub/important.log",
            "docs/a.md", "docs/sub/b.md", "README.md",
            "bin/app.dll", "obj/x.o", "src/bin/keep.cs", "src/app.js", "src/node_modules/m.js", "node_modules/pkg/index.js",
            "keepdir/drop.txt", "keepdir/keep.txt", "keepdir/inner/keep.txt", "keepdir/inner/other.bin",
            "q/temp", "q/tempfile", "q/r/temp", "temp",
            "dir with space/file name.txt", "dir with space/sub/x",
            "café/lisez moi.md", "café/garder.txt", "日本語/ファイル.txt",
            "util/docker/web/foo", "util/docker/web/bar", "util/docker/x",
            ".hidden", ".config/settings.json",
            "long/" + new string('l', 120) + "/" + new string('f', 110) + ".txt",
        };
        foreach (string file in files)
        {
            ContextTestSupport.WriteFile(_root, file, file);
        }

        ContextTestSupport.WriteFile(_root, "script.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_root, "script.sh"), (UnixFileMode)0x1ED);
        File.SetUnixFileMode(Path.Combine(_root, "a.txt"), (UnixFileMode)0x180);
        Directory.CreateDirectory(Path.Combine(_root, "emptydir"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "a.txt");
        Directory.CreateSymbolicLink(Path.Combine(_root, "dirlink"), "docs");
        ContextTestSupport.WriteFile(_root, "Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
        ContextTestSupport.WriteFile(_root, ".dockerignore", dockerignore);
    }

    private List<string> BuildWithCliAndList(string name)
    {
        string tag = $"msctx-diff-cli-{name}:{Guid.NewGuid():N}";
        _images.Add(tag);
        Docker(new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "1" }, "build", "--network", "host", "-t", tag, _root);
        return ListContextCopy(tag);
    }

    private async Task<(List<string> Image, List<string> Sent)> BuildWithApiAndListAsync(string name, DockerIgnore ignore)
    {
        string tag = $"msctx-diff-api-{name}:{Guid.NewGuid():N}";
        _images.Add(tag);

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        var content = new ContextContent(_root, ignore);
        using var request = new HttpRequestMessage(
            HttpMethod.Post,
            $"http://localhost/v1.41/build?version=2&networkmode=host&dockerfile=Dockerfile&t={Uri.EscapeDataString(tag)}")
        {
            Content = content,
        };
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        foreach (string line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument message = JsonDocument.Parse(line);
            if (message.RootElement.TryGetProperty("error", out JsonElement error))
            {
                Assert.Fail("API build failed: " + error.GetString());
            }
        }

        Assert.IsNotNull(content.Result);
        Assert.IsGreaterThan(0L, content.Result.BytesWritten);

        // What the archive held, without the Dockerfile when the CLI left it out of the image.
        using var tar = new MemoryStream();
        await BuildContext.WriteTarAsync(tar, _root, ignore);
        tar.Position = 0;
        var sent = ContextTestSupport.ReadTar(tar).Select(e => "ctx/" + e.Entry.Name).ToList();
        if (DockerIgnore.Load(_root).IsExcluded("Dockerfile"))
        {
            sent.Remove("ctx/Dockerfile");
        }

        sent.Add("ctx/");
        sent.Sort(StringComparer.Ordinal);
        return (ListContextCopy(tag), sent);
    }

    /// <summary>Exports a container of the image and lists "type mode path [-> target]" of everything under /ctx.</summary>
    private List<string> ListContextCopy(string image)
    {
        string container = Docker(null, "create", image, "/nonexistent").Trim();
        string export = Path.Combine(_root + "-export.tar");
        try
        {
            Docker(null, "export", "-o", export, container);
            using FileStream stream = File.OpenRead(export);
            return ContextTestSupport.ReadTar(stream)
                .Select(e => e.Entry)
                .Where(e => e.Name.StartsWith("ctx/", StringComparison.Ordinal))
                .Select(e => $"{e.EntryType} {Convert.ToString((int)e.Mode, 8)} {e.Name}{(e.EntryType == TarEntryType.SymbolicLink ? " -> " + e.LinkName : string.Empty)}")
                .OrderBy(e => e.Substring(e.IndexOf(" ctx/", StringComparison.Ordinal)), StringComparer.Ordinal)
                .ToList();
        }
        finally
        {
            TryDocker("rm", "-f", container);
            File.Delete(export);
        }
    }

    private static List<string> Names(List<string> listing) =>
        listing.Select(e => e.Substring(e.IndexOf(" ctx/", StringComparison.Ordinal) + 1).Split(" -> ")[0]).OrderBy(n => n, StringComparer.Ordinal).ToList();

    private static string Difference(List<string> expected, List<string> actual) =>
        $"missing: [{string.Join(", ", expected.Except(actual))}] unexpected: [{string.Join(", ", actual.Except(expected))}]";

    private static string Docker(Dictionary<string, string>? environment, params string[] arguments)
    {
        (int exitCode, string output) = RunDocker(environment, arguments);
        if (exitCode != 0)
        {
            Assert.Fail($"docker {string.Join(' ', arguments)} failed ({exitCode}): {output}");
        }

        return output;
    }

    private static void TryDocker(params string[] arguments) => RunDocker(null, arguments);

    private static (int ExitCode, string Output) RunDocker(Dictionary<string, string>? environment, string[] arguments)
    {
        var start = new ProcessStartInfo(DockerCli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, process.ExitCode == 0 ? output : output + error.Result);
    }

    /// <summary>Streams the context archive straight into the request body (chunked, no length known up front).</summary>
    private sealed class ContextContent : HttpContent
    {
        private readonly string _directory;
        private readonly DockerIgnore _ignore;

        public ContextContent(string directory, DockerIgnore ignore)
        {
            _directory = directory;
            _ignore = ignore;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        }

        public BuildContextResult? Result { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            Result = await BuildContext.WriteTarAsync(stream, _directory, _ignore, cancellationToken: cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
