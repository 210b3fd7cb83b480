using System.Diagnostics;
using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The real engine and registry for [TestCategory("Engine")] tests. They are brought up with eng/testenv/up.sh when
/// they do not answer; when they still do not, the tests fail (never skip).
/// </summary>
internal static class EngineTestEnvironment
{
    public const string Registry = "127.0.0.1:5000";
    public const string BaseImage = "mstage-test/base:1";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _ready;

    public static EngineEndpoint Endpoint { get; } = new(new Uri("unix:///var/run/docker.sock"), "the test engine");

    /// <summary>A client of the running test engine, with the base image in place.</summary>
    public static async Task<EngineClient> ConnectAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!_ready)
            {
                if (!await EngineAnswersAsync() || !await RegistryAnswersAsync())
                {
                    RunUpScript();
                }

                if (!await EngineAnswersAsync())
                {
                    Assert.Fail($"The Docker engine at {Endpoint.Uri} does not answer, even after eng/testenv/up.sh.");
                }

                if (!await RegistryAnswersAsync())
                {
                    Assert.Fail($"The registry at http://{Registry}/v2/ does not answer, even after eng/testenv/up.sh.");
                }

                await EnsureBaseImageAsync();
                _ready = true;
            }
        }
        finally
        {
            Gate.Release();
        }

        return EngineClient.Create(Endpoint);
    }

    /// <summary>A Docker.DotNet client for checks the engine client does not offer (inspect, remove, pull).</summary>
    public static DockerClient Raw() => new DockerClientBuilder().WithEndpoint(Endpoint.Uri).Build();

    public static async Task<string?> ImageIdAsync(string reference)
    {
        using var docker = Raw();
        try
        {
            return (await docker.Images.InspectImageAsync(reference)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    public static async Task RemoveAsync(params string[] references)
    {
        using var docker = Raw();
        foreach (var reference in references)
        {
            try
            {
                await docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
            }
        }
    }

    /// <summary>The Debian root file system image eng/testenv/up.sh imports (GNU coreutils, unlike busybox).</summary>
    public static async Task<string> DebianImageAsync()
    {
        using var docker = Raw();
        var rootfs = await RootfsImageAsync(docker);
        Assert.IsNotNull(rootfs, "No multistage-testenv/rootfs image: run eng/testenv/up.sh.");
        return rootfs;
    }

    private static async Task<string?> RootfsImageAsync(DockerClient docker) =>
        (await docker.Images.ListImagesAsync(new ImagesListParameters()))
            .SelectMany(i => i.RepoTags ?? [])
            .Where(t => t.StartsWith("multistage-testenv/rootfs:", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>Reads one file of an image through a container that is created, never started, and removed.</summary>
    public static async Task<string> ReadFileAsync(string image, string path) =>
        (await ReadFilesAsync(image, path)).Values.SingleOrDefault() ?? throw new InvalidDataException($"{path} is not a file in {image}.");

    /// <summary>Every regular file at or under <paramref name="path"/> in an image, by its name in the archive, with its text.</summary>
    public static async Task<SortedDictionary<string, string>> ReadFilesAsync(string image, string path)
    {
        using var docker = Raw();
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = image, Cmd = ["/nonexistent"] });
        try
        {
            var archive = await docker.Containers.GetArchiveFromContainerAsync(container.ID, new ContainerPathStatParameters { Path = path }, statOnly: false);
            using var stream = archive.Stream ?? throw new InvalidDataException($"The engine sent no archive of {path}.");
            // Read whole first: the client's chunked stream fails when the tar reader reads it entry by entry.
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            buffer.Position = 0;
            using var reader = new TarReader(buffer);
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    using var content = new StreamReader(entry.DataStream ?? Stream.Null);
                    files[entry.Name] = await content.ReadToEndAsync();
                }
            }

            return files;
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    public static string UniqueRepository(string name) => $"mstage-test/{name}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A build of the folder's Dockerfile into <paramref name="repository"/>:1, uncached and without network.</summary>
    public static BuildRequest OfflineBuild(string directory, string repository, BuilderKind builder) => new()
    {
        Context = new DirectoryBuildContext(directory),
        Repository = repository,
        Tags = new[] { "1" },
        Builder = builder,
        NetworkMode = "none",
        NoCache = true,
    };

    private static async Task<bool> EngineAnswersAsync()
    {
        try
        {
            using var client = EngineClient.Create(Endpoint);
            await client.GetInfoAsync();
            return true;
        }
        catch (EngineException)
        {
            return false;
        }
    }

    private static async Task<bool> RegistryAnswersAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync($"http://{Registry}/v2/");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static void RunUpScript()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "eng", "testenv", "up.sh")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            Assert.Fail("The engine is not running and eng/testenv/up.sh was not found above " + AppContext.BaseDirectory);
        }

        var start = new ProcessStartInfo("bash", [Path.Combine(directory.FullName, "eng", "testenv", "up.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(45)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("eng/testenv/up.sh did not finish within 45 minutes.");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"eng/testenv/up.sh failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }
    }

    /// <summary>
    /// A tiny base image with a shell, made offline: busybox when the host has a static one, else the Debian root
    /// file system image eng/testenv/up.sh imports.
    /// </summary>
    private static async Task EnsureBaseImageAsync()
    {
        if (await ImageIdAsync(BaseImage) is not null)
        {
            return;
        }

        using var docker = Raw();
        const string busybox = "/bin/busybox";
        var separator = BaseImage.LastIndexOf(':');
        if (File.Exists(busybox))
        {
            using var archive = new MemoryStream();
            await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
            {
                await writer.WriteEntryAsync(busybox, "bin/busybox");
                foreach (var applet in new[] { "sh", "echo", "cat", "sleep", "seq", "ls", "true", "false" })
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
                }
            }

            archive.Position = 0;
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters { Repo = BaseImage[..separator], Tag = BaseImage[(separator + 1)..] },
                archive,
                null,
                new Progress<JSONMessage>());
        }
        else
        {
            var rootfs = await RootfsImageAsync(docker);
            if (rootfs is null)
            {
                Assert.Fail("No base image can be made: install busybox-static, or run eng/testenv/up.sh to import the Debian root file system.");
            }

            await docker.Images.TagImageAsync(rootfs, new ImageTagParameters { RepositoryName = BaseImage[..separator], Tag = BaseImage[(separator + 1)..] });
        }

        if (await ImageIdAsync(BaseImage) is null)
        {
            Assert.Fail($"The base image {BaseImage} could not be created.");
        }
    }
}
