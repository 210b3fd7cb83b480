using MultiStage.Core.Tests;
using MultiStage.Engine.Client;
using MultiStage.Engine.Tests;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>
/// BuildImage's channels that travel as Engine API parameters (MultiStageBuildNetwork, MultiStagePlatform,
/// MultiStageBuildTarget, MultiStageBuildArg names): with hostile values a build succeeds or fails with an MSTAGE
/// code, never with another exception.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineRequestTests
{
    private static readonly string[] Tried = { "lf", "nul", "double-quote", "dollar-cmd", "flag", "traversal", "emoji", "long" };

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task HostileApiParametersFailWithACodeOrBuild(BuilderKind builder)
    {
        var channels = new (string Channel, Func<BuildRequest, string, BuildRequest> Set)[]
        {
            ("BuildImage.NetworkMode", (r, v) => r with { NetworkMode = v }),
            ("BuildImage.Platform", (r, v) => r with { Platform = v }),
            ("BuildImage.TargetStage", (r, v) => r with { TargetStage = v }),
            ("BuildImage.BuildArgs", (r, v) => r with { BuildArgs = new Dictionary<string, string> { [v] = "x" } }),
        };
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var repo = new RepoFixture();
        repo.Write("ctx/Dockerfile", $"FROM {EngineTestEnvironment.BaseImage} AS final\nLABEL org.hostile.request=\"1\"\n");
        var repository = EngineTestEnvironment.UniqueRepository("request");
        var problems = new List<string>();
        var (built, refused) = (0, 0);
        foreach (var (channel, set) in channels)
        {
            Assert.IsTrue(Channels.All.Any(c => c.Name == channel), channel);
            foreach (var value in Tried.Select(HostileValues.Named))
            {
                var request = set(new BuildRequest { Context = new DirectoryBuildContext(repo.P("ctx")), Repository = repository, Tags = ["1"], Builder = builder, NetworkMode = "none", NoCache = true }, value.Text);
                try
                {
                    await client.BuildAsync(request, new TestLog());
                    built++;
                }
                catch (EngineException e) when (e.Code.StartsWith("MSTAGE", StringComparison.Ordinal))
                {
                    refused++;
                }
                catch (Exception e)
                {
                    problems.Add($"{channel} × {value}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        HarnessReport.Write($"hostile engine parameters ({builder}): {built} built, {refused} refused with a code, {problems.Count} escaped");
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }
}
