using MultiStage.NuGet;

namespace MultiStage.Core.Tests.NuGet;

[TestClass]
public sealed class NuGetSourceSetTests
{
    [TestMethod]
    public void FolderFeedsOutsideTheContextAndLoopbackUrlsCannotReachABuildStage()
    {
        using var dir = new ConfigDirectory();
        var outside = System.IO.Path.Combine(dir.Path, "elsewhere");
        var config = dir.Read("repo/NuGet.config", $"""
            <configuration>
              <packageSources>
                <add key="vendored" value="./feed" />
                <add key="parent" value="../elsewhere" />
                <add key="absolute" value="{outside}" />
                <add key="file-uri" value="{new Uri(outside).AbsoluteUri}" />
                <add key="localhost" value="http://localhost:5555/v3/index.json" />
                <add key="loopback" value="http://127.0.0.2/v3/index.json" />
                <add key="ipv6" value="https://[::1]:8443/v3/index.json" />
                <add key="sub" value="http://feed.localhost/v3/index.json" />
                <add key="remote" value="https://feed.example/v3/index.json" />
                <add key="disabled" value="/nowhere" />
              </packageSources>
              <disabledPackageSources>
                <add key="disabled" value="true" />
              </disabledPackageSources>
            </configuration>
            """);

        var unreachable = NuGetSourceSet.Unreachable(new[] { config }, System.IO.Path.Combine(dir.Path, "repo"));
        CollectionAssert.AreEqual(
            new[]
            {
                ("parent", UnreachableReason.FolderOutsideContext), ("absolute", UnreachableReason.FolderOutsideContext),
                ("file-uri", UnreachableReason.FolderOutsideContext), ("localhost", UnreachableReason.Loopback),
                ("loopback", UnreachableReason.Loopback), ("ipv6", UnreachableReason.Loopback), ("sub", UnreachableReason.Loopback),
            },
            unreachable.Select(u => (u.Source.Name, u.Reason)).ToList());
    }

    [TestMethod]
    public void CloserConfigsRedefineAndClearFartherOnes()
    {
        using var dir = new ConfigDirectory();
        var user = dir.Read("user/NuGet.Config", "<configuration><packageSources><add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" /><add key=\"Team\" value=\"https://old.example/v3/index.json\" /></packageSources></configuration>");
        var repo = dir.Read("repo/NuGet.config", "<configuration><packageSources><add key=\"team\" value=\"https://new.example/v3/index.json\" /></packageSources></configuration>");
        CollectionAssert.AreEqual(
            new[] { ("nuget.org", "https://api.nuget.org/v3/index.json"), ("team", "https://new.example/v3/index.json") },
            NuGetSourceSet.Effective(new[] { repo, user }).Select(s => (s.Name, s.Value)).ToList());

        var clearing = dir.Read("repo2/NuGet.config", "<configuration><packageSources><clear /><add key=\"only\" value=\"https://only.example/v3/index.json\" /></packageSources></configuration>");
        CollectionAssert.AreEqual(new[] { "only" }, NuGetSourceSet.Effective(new[] { clearing, user }).Select(s => s.Name).ToList());
    }
}
