using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// A NuGet.config in a web project is never published: the Web SDK publishes every *.config as content, and a
/// config with a feed password would otherwise reach /app of the image.
/// </summary>
[TestClass]
public sealed class NuGetConfigPublishTests
{
    [TestMethod]
    public void NoCasingOfNuGetConfigReachesThePublishOutput()
    {
        var dir = TestEnvironment.CreateWorkspace("webapi");
        const string config = "<configuration>\n  <packageSources />\n</configuration>\n";
        File.WriteAllText(Path.Combine(dir, "nuget.config"), config);
        Directory.CreateDirectory(Path.Combine(dir, "settings"));
        File.WriteAllText(Path.Combine(dir, "settings", "NUGET.Config"), config);
        File.WriteAllText(Path.Combine(dir, "settings", "other.config"), config);

        var keptOut = Publish(dir, "out-default");
        CollectionAssert.Contains(keptOut, "settings/other.config", "the Web SDK still publishes other *.config files");
        Assert.IsFalse(keptOut.Any(f => Path.GetFileName(f).Equals("nuget.config", StringComparison.OrdinalIgnoreCase)), string.Join("\n", keptOut));

        // The switch exists for the rare app that reads its own NuGet.config at run time; it shows the rule is what keeps them out.
        var published = Publish(dir, "out-opted-in", "-p:MultiStageKeepNuGetConfigOutOfPublish=false");
        CollectionAssert.IsSubsetOf(new[] { "nuget.config", "settings/NUGET.Config" }, published.ToList());
    }

    private static List<string> Publish(string dir, string output, params string[] extra)
    {
        var target = Path.Combine(Path.GetDirectoryName(dir)!, output);
        TestEnvironment.DotNet(dir, new[] { "publish", "-nologo", "-p:MultiStageGenerateOnPublish=false", "-o", target }.Concat(extra).ToArray()).EnsureSuccess();
        return Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(target, f).Replace('\\', '/')).ToList();
    }
}
