using System.Text;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>The build context synced through the BuildKit session, and base images BuildKit pulls with the session's credentials, on the real engine.</summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineFileSyncTests
{
    [TestMethod]
    public async Task SecondBuildSendsOnlyTheChangedFile()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        var repository = EngineTestEnvironment.UniqueRepository("filesync");
        dir.Write("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nCOPY . /ctx/\n");
        dir.Write(".dockerignore", "ignored/\n");
        for (var i = 0; i < 20; i++)
        {
            dir.Write($"src/file{i:00}.txt", new string((char)('a' + i), 10_000));
        }

        Directory.CreateDirectory(Path.Combine(dir.Path, "ignored"));
        File.WriteAllBytes(Path.Combine(dir.Path, "ignored", "big.bin"), new byte[3_000_000]);
        var request = EngineTestEnvironment.OfflineBuild(dir.Path, repository, BuilderKind.BuildKit) with { NoCache = false };
        try
        {
            var first = await client.BuildAsync(request, new TestLog());
            dir.Write("src/file07.txt", "edited\n");
            var log = new TestLog();
            var second = await client.BuildAsync(request, log);

            Assert.IsTrue(first.Context!.Synced && second.Context!.Synced, "BuildKit builds take the context through the session");
            // Each file of the context once, though the frontend fetches .dockerignore in a call of its own first.
            Assert.AreEqual(22, first.Context.FilesSent, $"first build: {first.Context}");
            Assert.AreEqual(22, first.Context.ContextFiles, $"first build: {first.Context}");
            Assert.IsTrue(first.Context.BytesSent is > 200_000 and < 1_000_000, $"the excluded 3 MB file is not sent: {first.Context}");
            Assert.AreEqual(1, second.Context!.FilesSent, $"second build: {second.Context}");
            Assert.IsTrue(second.Context.BytesSent < 10_000, $"only stats and the edited file: {second.Context}");
            Assert.AreEqual(22, second.Context.ContextFiles, "20 sources, the Dockerfile and .dockerignore");
            Assert.AreEqual("edited\n", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/ctx/src/file07.txt"));
            Assert.IsFalse((await EngineTestEnvironment.ReadFilesAsync($"{repository}:1", "/ctx")).Keys.Any(k => k.Contains("ignored", StringComparison.Ordinal)));
            StringAssert.Contains(log.All, "1 changed file(s) of 22 sent");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task ClassicBuilderStillGetsTheArchive()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        var repository = EngineTestEnvironment.UniqueRepository("filesync");
        dir.Write("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nCOPY a.txt /a.txt\n");
        dir.Write("a.txt", "classic");
        try
        {
            var result = await client.BuildAsync(EngineTestEnvironment.OfflineBuild(dir.Path, repository, BuilderKind.Classic), new TestLog());

            Assert.IsFalse(result.Context!.Synced);
            Assert.IsTrue(result.Context.BytesSent > 1024, result.Context.ToString());
            Assert.AreEqual("classic", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/a.txt"));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task LargeSyncedContextWarns()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        var repository = EngineTestEnvironment.UniqueRepository("filesync");
        // COPY . takes the whole context: BuildKit fetches (and the image holds) dump.bin too. A COPY of small.txt
        // alone would not fetch it, and the warning would rightly stay silent.
        dir.Write("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nCOPY . /ctx/\n");
        dir.Write("small.txt", "x");
        File.WriteAllBytes(Path.Combine(dir.Path, "dump.bin"), new byte[300_000]);
        var log = new TestLog();
        try
        {
            var request = EngineTestEnvironment.OfflineBuild(dir.Path, repository, BuilderKind.BuildKit) with
            {
                Context = new DirectoryBuildContext(dir.Path) { SizeWarningThreshold = 100_000, Log = log },
            };
            var result = await client.BuildAsync(request, log);

            Assert.IsTrue(result.Context!.Synced);
            var warning = log.Entries.Single(e => e.Kind == "warning");
            Assert.AreEqual(EngineErrorCodes.LargeBuildContext, warning.Code);
            StringAssert.Contains(warning.Message, "dump.bin");
            StringAssert.Contains(warning.Message, "BuildKit keeps a copy");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task PrivateBaseImageIsPulledByBuildKitWithTheSessionsCredentials()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var registry = new AuthRegistryProxy("builder", password);
        using var config = new TempDirectory();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("builder:" + password));
        config.Write("config.json", "{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        await EngineTestEnvironment.ConnectAsync();
        using var client = EngineClient.Create(EngineTestEnvironment.Endpoint, name => name == "DOCKER_CONFIG" ? config.Path : Environment.GetEnvironmentVariable(name));
        using var dir = new TempDirectory();
        var repository = EngineTestEnvironment.UniqueRepository("privatebase");
        // A tag of the test registry's runtime-deps stand-in, reached only through the proxy that demands credentials.
        var baseImage = $"{registry.Host}/dotnet/runtime-deps:10.0";
        dir.Write("Dockerfile", $"FROM {baseImage}\nCOPY a.txt /a.txt\n");
        dir.Write("a.txt", "private base");
        var log = new TestLog();
        try
        {
            var request = EngineTestEnvironment.OfflineBuild(dir.Path, repository, BuilderKind.BuildKit) with { BaseImages = [baseImage], Pull = true };
            var result = await client.BuildAsync(request, log);

            Assert.IsTrue(result.Context!.Synced);
            Assert.IsTrue(registry.Refused > 0, "the registry asked for credentials");
            Assert.IsTrue(registry.Authorized > 0, "BuildKit came back with the credentials");
            Assert.IsFalse(log.All.Contains("Pulling base image", StringComparison.Ordinal), "no pull before the build: BuildKit pulled");
            Assert.IsNull(await EngineTestEnvironment.ImageIdAsync(baseImage), "the engine's image store did not pull it");
            StringAssert.Contains(log.All, $"BuildKit asked for the credentials of {registry.Host}");
            Assert.IsFalse(log.All.Contains(password, StringComparison.Ordinal), "the password is in the log");
            Assert.AreEqual("private base", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/a.txt"));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task PrivateBaseImageWithoutCredentialsFailsWithTheLoginCode()
    {
        await using var registry = new AuthRegistryProxy("builder", "pw-" + Guid.NewGuid().ToString("N"));
        using var config = new TempDirectory();
        await EngineTestEnvironment.ConnectAsync();
        using var client = EngineClient.Create(EngineTestEnvironment.Endpoint, name => name == "DOCKER_CONFIG" ? config.Path : Environment.GetEnvironmentVariable(name));
        using var dir = new TempDirectory();
        var baseImage = $"{registry.Host}/dotnet/runtime-deps:10.0";
        dir.Write("Dockerfile", $"FROM {baseImage}\nCOPY a.txt /a.txt\n");
        dir.Write("a.txt", "x");

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(
            EngineTestEnvironment.OfflineBuild(dir.Path, EngineTestEnvironment.UniqueRepository("privatebase"), BuilderKind.BuildKit) with { Pull = true },
            new TestLog()));

        // The registry's 401 is a cause of its own: log in (MSTAGE229).
        Assert.AreEqual(EngineErrorCodes.BaseImageUnauthorized, error.Code, error.Message);
        Assert.AreEqual(0, registry.Authorized);
    }
}
