using System.Formats.Tar;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>The docker CLI with BuildKit, as a user or a CI job drives it.</summary>
public static class DockerCli
{
    // The Debian client builds with BuildKit without the buildx plugin.
    public static string Executable => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    private static readonly Dictionary<string, string?> BuildKit = new() { ["DOCKER_BUILDKIT"] = "1" };

    public static ProcessResult Run(params string[] arguments) =>
        ProcessRunner.Run(Executable, arguments, environment: BuildKit, timeout: TimeSpan.FromMinutes(20));

    /// <summary>Fails (never skips) when no engine answers: these tests exist to prove the Dockerfiles on a real engine.</summary>
    public static void RequireEngine()
    {
        var version = ProcessRunner.Run(Executable, new[] { "version", "--format", "{{.Server.Version}}" }, timeout: TimeSpan.FromSeconds(30));
        if (version.ExitCode != 0)
        {
            Assert.Fail("No Docker engine answers; start the test environment with 'bash eng/testenv/up.sh'.\n" + version.Output);
        }

        var registry = ProcessRunner.Run(Executable, new[] { "image", "inspect", $"{TestEnvironment.ImageRegistry}/dotnet/sdk:10.0" }, timeout: TimeSpan.FromSeconds(30));
        if (registry.ExitCode != 0)
        {
            Assert.Fail($"The stand-in .NET images are missing from {TestEnvironment.ImageRegistry}; run 'bash eng/testenv/up.sh'.");
        }
    }

    /// <summary><c>docker build</c> of a context with plain progress, so tests can read which steps were cached.</summary>
    public static ProcessResult Build(string context, string tag, string? dockerfile = null)
    {
        var args = new List<string> { "build", "--network", "host", "--progress", "plain", "-t", tag };
        if (dockerfile is not null)
        {
            args.AddRange(new[] { "-f", dockerfile });
        }

        args.Add(context);
        return Run(args.ToArray());
    }

    /// <summary>True when BuildKit's plain progress shows the step whose name contains <paramref name="stepText"/> as CACHED.</summary>
    public static bool StepWasCached(string buildOutput, string stepText)
    {
        var lines = buildOutput.Split('\n');
        var ids = lines.Where(l => l.Contains(stepText, StringComparison.Ordinal) && l.StartsWith('#'))
            .Select(l => l.Split(' ')[0]).Distinct().ToList();
        if (ids.Count == 0)
        {
            Assert.Fail($"No build step '{stepText}' in:\n{ProcessResult.Tail(buildOutput, 60)}");
        }

        return ids.Any(id => lines.Any(l => l.Trim() == id + " CACHED"));
    }

    public static JsonElement Inspect(string image)
    {
        var result = Run("image", "inspect", image).EnsureSuccess();
        return JsonDocument.Parse(result.Output).RootElement[0];
    }

    /// <summary>Every path in the image's file system, from an exported container.</summary>
    public static IReadOnlyList<string> FileList(string image)
    {
        var id = Run("create", image).EnsureSuccess().Output.Trim().Split('\n').Last();
        var archive = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.tar");
        try
        {
            Run("export", "-o", archive, id).EnsureSuccess();
            var names = new List<string>();
            using var reader = new TarReader(File.OpenRead(archive));
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name.TrimStart('.', '/'));
            }

            return names;
        }
        finally
        {
            Run("rm", "-f", id);
            File.Delete(archive);
        }
    }

    /// <summary>The regular files of each image layer, bottom to top, from <c>docker save</c>.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> LayerFiles(string image) => SavedLayers(image).Select(l => l.Files).ToList();

    /// <summary>Each layer's uncompressed tar size, bottom to top: what a push uploads before compression.</summary>
    public static IReadOnlyList<long> LayerBytes(string image) => SavedLayers(image).Select(l => l.Bytes).ToList();

    private static IReadOnlyList<(IReadOnlyList<string> Files, long Bytes)> SavedLayers(string image)
    {
        var archive = Path.Combine(Path.GetTempPath(), $"save-{Guid.NewGuid():N}.tar");
        try
        {
            Run("save", "-o", archive, image).EnsureSuccess();
            var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            using (var reader = new TarReader(File.OpenRead(archive)))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    if (entry.DataStream is { } data)
                    {
                        using var copy = new MemoryStream();
                        data.CopyTo(copy);
                        blobs[entry.Name] = copy.ToArray();
                    }
                }
            }

            using var manifest = JsonDocument.Parse(blobs["manifest.json"]);
            var result = new List<(IReadOnlyList<string>, long)>();
            foreach (var layer in manifest.RootElement[0].GetProperty("Layers").EnumerateArray())
            {
                var names = new List<string>();
                var blob = blobs[layer.GetString()!];
                using var layerReader = new TarReader(new MemoryStream(blob));
                while (layerReader.GetNextEntry() is { } entry)
                {
                    if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    {
                        names.Add(entry.Name.TrimStart('.', '/'));
                    }
                }

                result.Add((names, blob.LongLength));
            }

            return result;
        }
        finally
        {
            File.Delete(archive);
        }
    }

    public static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
