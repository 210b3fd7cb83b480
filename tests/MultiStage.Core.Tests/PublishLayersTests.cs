using MultiStage.Generation;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class PublishLayersTests
{
    private static PublishedFileOrigin Package(string id) => new(id, false, false);

    [TestMethod]
    public void FilesGoToTheLayerOfTheirOrigin()
    {
        var origins = new Dictionary<string, PublishedFileOrigin>
        {
            ["libcoreclr.so"] = Package("Microsoft.NETCore.App.Runtime.linux-x64"),
            ["Microsoft.AspNetCore.dll"] = Package("Microsoft.AspNetCore.App.Runtime.linux-x64"),
            ["Humanizer.dll"] = Package("Humanizer.Core"),
            ["runtimes/linux-x64/native/libe_sqlite3.so"] = Package("SQLitePCLRaw.lib.e_sqlite3"),
            ["Lib.Core.dll"] = new("", true, false),
            ["Lib.Core.pdb"] = new("", true, false),
            // A content item of a referenced project is that project's, not the app's resource.
            ["lib-settings.json"] = new("", true, true),
            ["App"] = new("", false, true),
            ["appsettings.json"] = new("", false, true),
            ["wwwroot/index.html"] = new("", false, true),
            ["App.dll"] = new("", false, false),
        };
        var layers = PublishLayers.Classify(
            new[] { "App", "App.dll", "App.pdb", "Lib.Core.dll", "Lib.Core.pdb", "lib-settings.json", "appsettings.json", "wwwroot/index.html", "libcoreclr.so", "Microsoft.AspNetCore.dll", "Humanizer.dll", "runtimes\\linux-x64\\native\\libe_sqlite3.so" },
            origins);

        Assert.AreEqual(PublishLayer.Runtime, layers["libcoreclr.so"]);
        Assert.AreEqual(PublishLayer.Runtime, layers["Microsoft.AspNetCore.dll"]);
        Assert.AreEqual(PublishLayer.Packages, layers["Humanizer.dll"]);
        Assert.AreEqual(PublishLayer.Packages, layers["runtimes/linux-x64/native/libe_sqlite3.so"]);
        Assert.AreEqual(PublishLayer.Projects, layers["Lib.Core.dll"]);
        Assert.AreEqual(PublishLayer.Projects, layers["Lib.Core.pdb"]);
        Assert.AreEqual(PublishLayer.Projects, layers["lib-settings.json"]);
        Assert.AreEqual(PublishLayer.Resources, layers["App"]);
        Assert.AreEqual(PublishLayer.Resources, layers["appsettings.json"]);
        Assert.AreEqual(PublishLayer.Resources, layers["wwwroot/index.html"]);
        Assert.AreEqual(PublishLayer.App, layers["App.dll"]);
        Assert.AreEqual(PublishLayer.App, layers["App.pdb"], "a file MSBuild said nothing of is the app's own");

        Assert.AreEqual(12, layers.Count, "every file is in exactly one layer");
        CollectionAssert.AreEqual(new[] { "runtime", "packages", "resources", "projects", "app" }, PublishLayers.InOrder.Select(PublishLayers.FolderName).ToArray());
    }

    [TestMethod]
    public void AnAbsentLayerHandsItsFilesToTheNextOneUp()
    {
        var present = PublishLayers.For(selfContained: false, hasProjectReferences: false);
        Assert.AreEqual("packages+resources+app", PublishLayers.Format(present));
        Assert.AreEqual(PublishLayer.Packages, PublishLayers.Place(PublishLayer.Runtime, present.ToList()));
        Assert.AreEqual(PublishLayer.App, PublishLayers.Place(PublishLayer.Projects, present.ToList()));
        Assert.AreEqual(PublishLayer.Resources, PublishLayers.Place(PublishLayer.Resources, present.ToList()));
        Assert.AreEqual("runtime+packages+resources+projects+app", PublishLayers.Format(PublishLayers.For(true, true)));
    }

    [TestMethod]
    public void LayerListsRoundTripAndRejectUnknownNames()
    {
        CollectionAssert.AreEqual(PublishLayers.InOrder.ToArray(), PublishLayers.Parse("")!.ToArray());
        CollectionAssert.AreEqual(new[] { PublishLayer.Packages, PublishLayer.App }, PublishLayers.Parse("packages+app")!.ToArray());
        Assert.IsNull(PublishLayers.Parse("packages+classes"));
    }
}
