using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>Build arguments from the user: every one the request cannot carry is a coded error that names it, before anything is sent.</summary>
[TestClass]
public sealed class ClientBuildArgumentTests
{
    private static KeyValuePair<string, string> Arg(string name, string value) => new(name, value);

    [TestMethod]
    public void ANameGivenTwiceIsAnErrorNamingIt()
    {
        var error = Assert.ThrowsExactly<EngineException>(() => BuildArguments.Collect([Arg("SOURCE_REVISION", "abc"), Arg("OTHER", "1"), Arg("SOURCE_REVISION", "def")]));
        Assert.AreEqual(EngineErrorCodes.InvalidBuildArgument, error.Code);
        StringAssert.Contains(error.Message, "'SOURCE_REVISION'");
        StringAssert.Contains(error.Message, "MultiStageBuildArg");
    }

    [TestMethod]
    public void NamesThatDifferOnlyInCaseAreDistinctArguments()
    {
        // ARG names are case-sensitive in a Dockerfile.
        var collected = BuildArguments.Collect([Arg("Version", "1"), Arg("VERSION", "2")]);
        Assert.AreEqual(2, collected.Count);
    }

    [TestMethod]
    [DataRow("", "empty name")]
    [DataRow("A=B", "'A=B'")]
    [DataRow("A B", "'A B'")]
    [DataRow("A\0B", "'A\\0B'")]
    [DataRow("A\tB", "'A\\tB'")]
    [DataRow("A\nB", "'A\\nB'")]
    public void ANameNoArgCanDeclareIsAnErrorShowingIt(string name, string shown)
    {
        var error = Assert.ThrowsExactly<EngineException>(() => BuildArguments.Collect([Arg(name, "value")]));
        Assert.AreEqual(EngineErrorCodes.InvalidBuildArgument, error.Code);
        StringAssert.Contains(error.Message, shown);
        Assert.IsFalse(error.Message.Any(c => c is '\0' or '\t' or '\n'), "the message prints no control character: " + error.Message);
    }

    [TestMethod]
    public void AValueWithANulIsAnErrorNamingTheArgument()
    {
        var error = Assert.ThrowsExactly<EngineException>(() => BuildArguments.Collect([Arg("TOKEN", "ab\0cd")]));
        Assert.AreEqual(EngineErrorCodes.InvalidBuildArgument, error.Code);
        StringAssert.Contains(error.Message, "'TOKEN'");
        StringAssert.Contains(error.Message, "U+0000");
    }

    [TestMethod]
    public void ValuesWithLineBreaksQuotesAndOtherScriptsAreAccepted()
    {
        var collected = BuildArguments.Collect([Arg("NOTE", "line one\nline \"two\" — ünïcode & ?=%")]);
        Assert.AreEqual("line one\nline \"two\" — ünïcode & ?=%", collected["NOTE"]);
    }

    [TestMethod]
    public async Task ArgumentsTooLargeForTheRequestAreRefusedBeforeAnythingIsSent()
    {
        // Before the check, the engine dropped the connection mid-request (a broken pipe) and it read as a lost engine.
        await using var server = new FakeHttpServer(async (_, stream) =>
        {
            await FakeHttpServer.WriteAsync(stream, 500, "Internal Server Error", "application/json", """{"message":"unexpected"}""");
            return true;
        });
        using var client = EngineClient.Create(new EngineEndpoint(new Uri($"tcp://127.0.0.1:{server.Port}"), "the test"));
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", "FROM scratch\n")),
            BuildArgs = new Dictionary<string, string> { ["SMALL"] = "x", ["CERTIFICATE"] = new string('a', BuildArguments.MaxEncodedLength + 1) },
        };

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.InvalidBuildArgument, error.Code, error.Message);
        StringAssert.Contains(error.Message, "'CERTIFICATE'");
        Assert.AreEqual(0, server.Requests.Count, "nothing reaches the engine");
    }

    [TestMethod]
    [TestCategory("Engine")]
    public async Task ArgumentsJustWithinTheLimitReachTheBuildIntact()
    {
        // The limit must not refuse what the engine takes: a value that nearly fills it arrives whole.
        var value = string.Concat(Enumerable.Repeat("0123456789abcdef", (BuildArguments.MaxEncodedLength - 100) / 16));
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("args");
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nARG BIG\nLABEL big=\"$BIG\"\n")),
            Repository = repository,
            Tags = ["1"],
            BuildArgs = BuildArguments.Collect([Arg("BIG", value)]),
            NetworkMode = "host",
        };

        try
        {
            var result = await client.BuildAsync(request, new TestLog());
            using var docker = EngineTestEnvironment.Raw();
            var image = await docker.Images.InspectImageAsync(result.ImageId);
            Assert.AreEqual(value, image.Config?.Labels?["big"]);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }
}
