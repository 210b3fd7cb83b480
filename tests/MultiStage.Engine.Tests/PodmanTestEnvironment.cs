using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The Podman engine of [TestCategory("Engine")] tests: Debian's podman serving its Docker-compatible API on a socket
/// the test environment owns, with its own storage (eng/testenv/podman.sh, run by up.sh). Brought up when it does not
/// answer; when it still does not, the tests fail (never skip).
/// </summary>
internal static class PodmanTestEnvironment
{
    public const string Socket = "/run/multistage-testenv/podman/podman.sock";

    /// <summary>A small stand-in base image podman.sh pulls from the registry.</summary>
    public const string BaseImage = EngineTestEnvironment.Registry + "/dotnet/runtime-deps:10.0";

    /// <summary>The SDK stand-in image, for build stages that compile.</summary>
    public const string SdkImage = EngineTestEnvironment.Registry + "/dotnet/sdk:10.0";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _ready;

    public static EngineEndpoint Endpoint { get; } = new(new Uri("unix://" + Socket), "the test Podman engine");

    public static async Task<EngineClient> ConnectAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!_ready)
            {
                if (!await AnswersAsync())
                {
                    RunScript("up.sh");
                    if (!await AnswersAsync())
                    {
                        RunScript("podman.sh");
                    }
                }

                if (!await AnswersAsync())
                {
                    Assert.Fail($"The Podman engine at {Endpoint.Uri} does not answer, even after eng/testenv/up.sh and podman.sh.");
                }

                _ready = true;
            }
        }
        finally
        {
            Gate.Release();
        }

        return EngineClient.Create(Endpoint);
    }

    /// <summary>A Docker.DotNet client of the Podman engine, for checks the engine client does not offer.</summary>
    public static DockerClient Raw() => new DockerClientBuilder().WithEndpoint(Endpoint.Uri).Build();

    /// <summary>The ids of every image the engine holds, intermediate ones included.</summary>
    public static async Task<HashSet<string>> AllImageIdsAsync()
    {
        using var docker = Raw();
        var images = await docker.Images.ListImagesAsync(new ImagesListParameters { All = true });
        return images.Select(i => i.ID).ToHashSet(StringComparer.Ordinal);
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
            catch (DockerApiException)
            {
            }
        }
    }

    private static async Task<bool> AnswersAsync()
    {
        if (!File.Exists(Socket))
        {
            return false;
        }

        try
        {
            using var client = EngineClient.Create(Endpoint);
            return (await client.GetInfoAsync()).IsPodman;
        }
        catch (EngineException)
        {
            return false;
        }
    }

    private static void RunScript(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "eng", "testenv", name)))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            Assert.Fail($"Podman is not running and eng/testenv/{name} was not found above {AppContext.BaseDirectory}");
        }

        var start = new ProcessStartInfo("bash", [Path.Combine(directory.FullName, "eng", "testenv", name)])
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
            Assert.Fail($"eng/testenv/{name} did not finish within 45 minutes.");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"eng/testenv/{name} failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }
    }
}
