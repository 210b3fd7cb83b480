using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>Build secrets through a BuildKit session on the real engine.</summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineSessionTests
{
    private const string SdkImage = $"{EngineTestEnvironment.Registry}/dotnet/sdk:10.0";

    private static BuildRequest Request(string dockerfile, string repository, IReadOnlyDictionary<string, byte[]> secrets) => new()
    {
        Context = new InMemoryContext(("Dockerfile", dockerfile)),
        Repository = repository,
        Tags = ["1"],
        Builder = BuilderKind.BuildKit,
        NetworkMode = "host",
        NoCache = true,
        Secrets = secrets,
    };

    private static Dictionary<string, byte[]> Secret(string id, string value) => new() { [id] = Encoding.UTF8.GetBytes(value) };

    [TestMethod]
    public async Task SecretReachesTheRunStep()
    {
        var value = "delivered-" + Guid.NewGuid().ToString("N");

        var proof = await BuildAndReadProofAsync("RUN --mount=type=secret,id=s1 cat /run/secrets/s1 > /proof", Secret("s1", value));

        Assert.AreEqual(value, proof);
    }

    [TestMethod]
    public async Task SecretUsedByAStepIsNowhereInTheImage()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var value = "hidden-" + Guid.NewGuid().ToString("N");
        // Written into a layer on purpose: the search must find what is there, or finding nothing proves nothing.
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        var repository = EngineTestEnvironment.UniqueRepository("secret");
        // The step compares the secret with a value the shell joins from two halves: the Dockerfile, which the
        // image history keeps, never holds the secret in one piece.
        var dockerfile = $"""
            FROM {SdkImage}
            RUN --mount=type=secret,id=s1 test "$(cat /run/secrets/s1)" = "{value[..10]}""{value[10..]}" && echo {marker} > /marker
            """;
        using var dir = new TempDirectory();
        try
        {
            await client.BuildAsync(Request(dockerfile, repository, Secret("s1", value)), new TestLog());

            var saved = Path.Combine(dir.Path, "image.tar");
            Docker("save", "-o", saved, $"{repository}:1");
            var files = ReadEntries(saved);
            Assert.IsTrue(files.Any(f => f.Name.EndsWith("layer.tar", StringComparison.Ordinal) && Contains(f.Data, marker)), "the marker layer was not found: the search cannot be trusted");
            foreach (var (name, data) in files)
            {
                Assert.IsFalse(Contains(data, value), $"the secret is in {name} of the saved image");
            }

            var history = Docker("history", "--no-trunc", $"{repository}:1");
            StringAssert.Contains(history, marker, "the step is not in the history: the search cannot be trusted");
            Assert.IsFalse(history.Contains(value, StringComparison.Ordinal), "the secret is in the image history");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task MissingOptionalSecretIsSkipped()
    {
        var proof = await BuildAndReadProofAsync("RUN --mount=type=secret,id=absent,required=false test ! -s /run/secrets/absent && echo skipped > /proof", Secret("s1", "given"));

        Assert.AreEqual("skipped", proof);
    }

    [TestMethod]
    public async Task MissingRequiredSecretFailsTheBuildNamingIt()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("secret");
        var dockerfile = $"""
            FROM {SdkImage}
            RUN --mount=type=secret,id=absent,required=true true
            """;

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(dockerfile, repository, Secret("s1", "given")), new TestLog()));

        Assert.AreEqual(EngineErrorCodes.BuildFailed, error.Code, error.Message);
        StringAssert.Contains(error.Message, "secret absent not found");
        Assert.IsNull(await EngineTestEnvironment.ImageIdAsync($"{repository}:1"));
    }

    [TestMethod]
    public async Task CancellingABuildWithASessionEndsItPromptly()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("secret");
        var dockerfile = $"""
            FROM {SdkImage}
            RUN --mount=type=secret,id=s1 cat /run/secrets/s1 > /dev/null && sleep {600 + Random.Shared.Next(1, 300)}
            """;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(dockerfile, repository, Secret("s1", "x")), new TestLog(), cancellation.Token));

        Assert.AreEqual(EngineErrorCodes.BuildCancelled, error.Code, error.Message);
        Assert.IsTrue(DateTime.UtcNow - started < TimeSpan.FromSeconds(45), "closing the session does not wait for the step");
        Assert.IsNull(await EngineTestEnvironment.ImageIdAsync($"{repository}:1"));
    }

    [TestMethod]
    public async Task ClassicBuilderRefusesSecretsWithTheCliEquivalent()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var request = Request($"FROM {SdkImage}\n", EngineTestEnvironment.UniqueRepository("secret"), Secret("nuget-credentials", "x")) with { Builder = BuilderKind.Classic };

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));

        Assert.AreEqual(EngineErrorCodes.SecretsNeedBuildKit, error.Code, error.Message);
        StringAssert.Contains(error.Message, "DOCKER_BUILDKIT=1 docker build --secret id=nuget-credentials,src=");
    }

    /// <summary>Builds FROM the SDK image with <paramref name="step"/>, which writes /proof, and reads /proof back from a container.</summary>
    private static async Task<string> BuildAndReadProofAsync(string step, IReadOnlyDictionary<string, byte[]> secrets)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("secret");
        try
        {
            await client.BuildAsync(Request($"FROM {SdkImage}\n{step}\n", repository, secrets), new TestLog());
            return Docker("run", "--rm", "--network", "none", $"{repository}:1", "cat", "/proof").Trim();
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    private static bool Contains(byte[] data, string text) => data.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static List<(string Name, byte[] Data)> ReadEntries(string tarPath)
    {
        var entries = new List<(string, byte[])>();
        using var file = File.OpenRead(tarPath);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry.Name, data.ToArray()));
        }

        return entries;
    }

    private static string Docker(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOCKER_HOST"] = EngineTestEnvironment.Endpoint.Uri.OriginalString;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"docker {string.Join(' ', arguments)}: {error.Result}");
        return output;
    }
}
