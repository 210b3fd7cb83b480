using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The CI recipes of docs/ci: their dotnet commands, read out of the files, run in order on testassets/repo with the
/// packed SDK against the local engine and registry, so a recipe that stops working fails here.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class CiRecipeTests
{
    private static readonly string[] Recipes = { "github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml" };

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    /// <summary>The dotnet commands of a recipe, in order: a `run:` or `script:` value, or a list item of a script.</summary>
    private static List<string> Commands(string recipe) =>
        File.ReadLines(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "ci", recipe))
            .Select(line => Regex.Match(line, @"^\s*(?:-\s*)?(?:(?:run|script):\s*)?(dotnet\s.+)$"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Trim())
            .ToList();

    [TestMethod]
    public void EveryRecipeRunsTheSameCommands()
    {
        var github = Commands(Recipes[0]);
        Assert.AreEqual(3, github.Count, string.Join("\n", github));
        foreach (var recipe in Recipes.Skip(1))
        {
            CollectionAssert.AreEqual(github, Commands(recipe), recipe);
        }
    }

    [TestMethod]
    public void TheCiRecipesRunAgainstTheLocalEngineAndRegistry()
    {
        var dir = TestEnvironment.CreateWorkspace("repo");
        var tag = "ci-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        // What the CI sets, and what the test machines need: the stand-in base images, and host networking for RUN.
        var environment = new Dictionary<string, string?>
        {
            ["REGISTRY"] = TestEnvironment.ImageRegistry,
            ["TAG"] = tag,
            ["MultiStageBaseImageRegistry"] = TestEnvironment.ImageRegistry,
            ["MultiStageBuildNetwork"] = "host",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };

        // The Dockerfiles the developer committed.
        ProcessRunner.Run("dotnet", new[] { "build", "Orders.slnx", "-t:ContainerizeMultiStage", "-nologo" }, dir, environment, TimeSpan.FromMinutes(10)).EnsureSuccess();
        var images = new[] { "orders.api", "orders.worker" };
        try
        {
            // Twice: the second run is the next commit's, with the first one's image as its cache.
            for (var run = 0; run < 2; run++)
            {
                ProcessResult? last = null;
                foreach (var command in Commands(Recipes[0]))
                {
                    last = ProcessRunner.Run("bash", new[] { "-c", command + " -nologo -nodeReuse:false" }, dir, environment, TimeSpan.FromMinutes(20)).EnsureSuccess();
                }

                foreach (var image in images)
                {
                    StringAssert.Contains(last!.Output, $"{image}:{tag}, {image}:main (pushed)");
                    using var http = new HttpClient();
                    using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{TestEnvironment.ImageRegistry}/v2/{image}/manifests/{tag}");
                    head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                    Assert.IsTrue(http.Send(head).IsSuccessStatusCode, $"{image}:{tag} is in the registry");
                }
            }
        }
        finally
        {
            foreach (var image in images)
            {
                DockerCli.Run("rmi", $"{image}:{tag}", $"{TestEnvironment.ImageRegistry}/{image}:{tag}", $"{image}:main", $"{TestEnvironment.ImageRegistry}/{image}:main");
            }
        }
    }
}
