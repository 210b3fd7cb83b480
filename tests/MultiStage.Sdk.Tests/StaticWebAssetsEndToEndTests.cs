using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// A Razor Pages app (testassets/razor) with static web assets: they are published by the static web assets targets,
/// not through ResolvedFileToPublish, and must land in the resources layer, so a code edit changes only the app layer.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class StaticWebAssetsEndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <summary>The target for a one-line code edit: the layers a push uploads.</summary>
    private const long ChangedBytesLimit = 100 * 1024;

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    [TestMethod]
    public void StaticWebAssetsGoToTheResourcesLayerAndACodeEditChangesOnlyTheApp()
    {
        var dir = TestEnvironment.CreateWorkspace("razor");
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();
        var image = $"multistage-e2e/razor:{Run}";
        var before = image + "-before";
        try
        {
            DockerCli.Build(dir, image).EnsureSuccess();
            WebAppContainer.Run(image, (http, baseUrl) =>
                StringAssert.Contains(http.GetStringAsync(baseUrl + "/css/site.css").GetAwaiter().GetResult(), "#1b6ec2"), expected: "razor: pages ok");

            var layers = DockerCli.LayerFiles(image);
            var resources = layers[^2];
            CollectionAssert.Contains(resources.ToList(), "app/wwwroot/lib/palette/palette.css", string.Join(", ", resources));
            Assert.IsTrue(resources.Any(f => f.StartsWith("app/wwwroot/lib/palette/palette", StringComparison.Ordinal) && f.EndsWith(".gz", StringComparison.Ordinal)), "the compressed copies: " + string.Join(", ", resources));
            CollectionAssert.Contains(resources.ToList(), "app/RazorApp.staticwebassets.endpoints.json");
            Assert.IsFalse(layers[^1].Any(f => f.Contains("wwwroot", StringComparison.Ordinal)), "app layer: " + string.Join(", ", layers[^1]));

            DockerCli.Run("tag", image, before).EnsureSuccess();
            File.AppendAllText(Path.Combine(dir, "Program.cs"), "\n// edited\n");
            DockerCli.Build(dir, image).EnsureSuccess();
            var oldIds = Ids(before);
            var newIds = Ids(image);
            CollectionAssert.AreEqual(oldIds.Take(oldIds.Count - 1).ToList(), newIds.Take(newIds.Count - 1).ToList(), "only the app layer may change");
            var sizes = DockerCli.LayerBytes(image);
            var changed = sizes[^1];
            Console.WriteLine($"razor layers after the edit: resources {sizes[^2]} bytes ({resources.Count} files), app {changed} bytes ({DockerCli.LayerFiles(image)[^1].Count} files, changed)");
            Assert.IsTrue(changed <= ChangedBytesLimit, $"the edit changed {changed} bytes of layers, more than {ChangedBytesLimit}");
        }
        finally
        {
            DockerCli.Run("rmi", "-f", image, before);
        }
    }

    private static List<string> Ids(string image) =>
        DockerCli.Inspect(image).GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
}
