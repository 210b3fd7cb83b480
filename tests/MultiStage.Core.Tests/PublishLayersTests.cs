using MultiStage.Generation;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class PublishLayersTests
{
    [TestMethod]
    public void FilesGoToTheLayerOfTheirOrigin()
    {
        var packages = new Dictionary<string, string>
        {
            ["libcoreclr.so"] = "Microsoft.NETCore.App.Runtime.linux-x64",
            ["Microsoft.AspNetCore.dll"] = "Microsoft.AspNetCore.App.Runtime.linux-x64",
            ["Humanizer.dll"] = "Humanizer.Core",
            ["runtimes/linux-x64/native/libe_sqlite3.so"] = "SQLitePCLRaw.lib.e_sqlite3",
        };
        var layers = PublishLayers.Classify(
            new[] { "App.dll", "App.pdb", "Lib.Core.dll", "appsettings.json", "wwwroot/index.html", "libcoreclr.so", "Microsoft.AspNetCore.dll", "Humanizer.dll", "runtimes\\linux-x64\\native\\libe_sqlite3.so" },
            packages);

        Assert.AreEqual(PublishLayer.Runtime, layers["libcoreclr.so"]);
        Assert.AreEqual(PublishLayer.Runtime, layers["Microsoft.AspNetCore.dll"]);
        Assert.AreEqual(PublishLayer.Packages, layers["Humanizer.dll"]);
        Assert.AreEqual(PublishLayer.Packages, layers["runtimes/linux-x64/native/libe_sqlite3.so"]);
        foreach (var own in new[] { "App.dll", "App.pdb", "Lib.Core.dll", "appsettings.json", "wwwroot/index.html" })
        {
            Assert.AreEqual(PublishLayer.App, layers[own], own);
        }

        Assert.AreEqual(9, layers.Count, "every file is in exactly one layer");
        CollectionAssert.AreEqual(new[] { "runtime", "packages", "app" }, PublishLayers.InOrder.Select(PublishLayers.FolderName).ToArray());
    }
}
