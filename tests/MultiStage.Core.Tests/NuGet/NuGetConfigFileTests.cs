using System.Xml.Linq;
using MultiStage.NuGet;

namespace MultiStage.Core.Tests.NuGet;

[TestClass]
public sealed class NuGetConfigFileTests
{
    [TestMethod]
    public void RenderingKeepsWhatRestoreReadsAndDropsEverySecret()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <!-- <add key="ClearTextPassword" value="commented-secret" /> -->
              <config>
                <add key="globalPackagesFolder" value="packages" />
                <add key="HTTP_PROXY.PASSWORD" value="proxy-secret" />
              </config>
              <packageSources>
                <clear />
                <add key="Private Feed" value="https://feed.example/v3/index.json" protocolVersion="3" />
              </packageSources>
              <PackageSourceCredentials>
                <Private_x0020_Feed>
                  <add key="USERNAME" value="user-secret" />
                  <add key="cleartextpassword" value="%FEED_TOKEN%" />
                </Private_x0020_Feed>
              </PackageSourceCredentials>
              <packageSourceMapping>
                <packageSource key="Private Feed">
                  <package pattern="Contoso.*" />
                </packageSource>
              </packageSourceMapping>
              <disabledPackageSources>
                <add key="old" value="true" />
              </disabledPackageSources>
              <fallbackPackageFolders>
                <add key="shared" value="../fallback" />
              </fallbackPackageFolders>
              <apikeys>
                <add key="https://feed.example/" value="apikey-secret" />
              </apikeys>
            </configuration>
            """);

        var rendered = config.RenderWithoutCredentials();
        foreach (var secret in new[] { "commented-secret", "proxy-secret", "user-secret", "FEED_TOKEN", "apikey-secret" })
        {
            Assert.IsFalse(rendered.Contains(secret, StringComparison.OrdinalIgnoreCase), secret);
        }

        // Everything else survives with the same meaning.
        var original = XDocument.Load(config.FilePath).Root!;
        var kept = XDocument.Parse(rendered).Root!;
        foreach (var section in new[] { "config", "packageSources", "packageSourceMapping", "disabledPackageSources", "fallbackPackageFolders" })
        {
            var before = original.Element(section)!.Elements().Where(e => (string?)e.Attribute("key") != "HTTP_PROXY.PASSWORD").Select(e => e.ToString()).ToList();
            CollectionAssert.AreEqual(before, kept.Element(section)!.Elements().Select(e => e.ToString()).ToList(), section);
        }

        CollectionAssert.AreEquivalent(new[] { "apikeys", "config/HTTP_PROXY.PASSWORD" }, config.DroppedSecrets.ToList());
        StringAssert.StartsWith(rendered, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n");
        Assert.IsFalse(rendered.Contains('\r'));
        Assert.AreEqual(rendered, dir.Read("again.config", rendered).RenderWithoutCredentials(), "rendering is stable");
    }

    [TestMethod]
    public void UserInfoInASourceUrlIsRemovedAndReported()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", """
            <configuration>
              <packageSources>
                <add key="inline" value="https://ci:url-secret@feed.example:8443/v3/index.json?x=a@b" />
                <add key="plain" value="https://feed.example/v3/index.json#a@b" />
                <add key="folder" value="./me@home/feed" />
              </packageSources>
            </configuration>
            """);
        var rendered = config.RenderWithoutCredentials();
        Assert.IsFalse(rendered.Contains("url-secret", StringComparison.Ordinal), rendered);
        CollectionAssert.AreEqual(
            new[] { "https://feed.example:8443/v3/index.json?x=a@b", "https://feed.example/v3/index.json#a@b", "./me@home/feed" },
            XDocument.Parse(rendered).Root!.Element("packageSources")!.Elements().Select(e => (string)e.Attribute("value")!).ToList());
        CollectionAssert.AreEqual(new[] { "packageSources/inline: user info in the URL" }, config.DroppedSecrets.ToList());
    }

    [TestMethod]
    public void ReadsSourcesCredentialsAndClearsWithNuGetsCaseRules()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("nuget.config", """
            <CONFIGURATION>
              <PACKAGESOURCES>
                <add KEY="gone" VALUE="https://gone.example/v3/index.json" />
                <Clear />
                <ADD key="My Feed" value="https://feed.example/v3/index.json" />
                <add key="local" value="feed" />
              </PACKAGESOURCES>
              <packageSourceCredentials>
                <My_x0020_Feed>
                  <add key="username" value="u" />
                  <add key="Password" value="AQAAANCMnd8BFdERjHoAwE" />
                  <add key="ClearTextPassword" value="ignored: the first password entry wins" />
                </My_x0020_Feed>
                <clear />
                <local>
                  <add key="Username" value="u2" />
                  <add key="ClearTextPassword" value="p2" />
                  <add key="validauthenticationtypes" value="basic" />
                </local>
              </packageSourceCredentials>
            </CONFIGURATION>
            """);

        CollectionAssert.AreEqual(new[] { "My Feed", "local" }, config.Sources.Select(s => s.Name).ToList());
        Assert.IsTrue(config.ClearsSources);
        Assert.IsFalse(config.Sources[0].IsLocalFolder);
        Assert.IsTrue(config.Sources[1].IsLocalFolder);
        Assert.AreEqual(Path.Combine(dir.Path, "feed"), config.Sources[1].FolderPath);
        Assert.IsTrue(config.ClearsCredentials);
        Assert.AreEqual(new NuGetCredential("local", "u2", "p2", false, "basic"), config.Credentials.Single());
    }

    [TestMethod]
    public void EncryptedPasswordIsMarked()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.Config", """
            <configuration>
              <packageSourceCredentials>
                <My_x0020_Feed>
                  <add key="Username" value="u" />
                  <add key="Password" value="AQAAANCMnd8BFdERjHoAwE" />
                </My_x0020_Feed>
              </packageSourceCredentials>
            </configuration>
            """);
        Assert.AreEqual(new NuGetCredential("My Feed", "u", "AQAAANCMnd8BFdERjHoAwE", true, null), config.Credentials.Single());
        Assert.IsTrue(config.HasCredentials);
    }

    [TestMethod]
    public void AnyCasingOfTheFileNameIsAConfig()
    {
        foreach (var name in new[] { "nuget.config", "NuGet.config", "NuGet.Config", "NUGET.CONFIG", "nuGet.CoNfig" })
        {
            Assert.IsTrue(NuGetConfigFile.IsConfigFileName(name), name);
        }

        foreach (var name in new[] { "nuget.config.bak", "nuget.json", "my.nuget.config", "NuGet.Config.xml" })
        {
            Assert.IsFalse(NuGetConfigFile.IsConfigFileName(name), name);
        }
    }

    [TestMethod]
    public void UnreadableConfigsAreReportedNotThrownAsXmlErrors()
    {
        using var dir = new ConfigDirectory();
        foreach (var text in new[]
        {
            "<configuration>",
            "<packages />",
            "<!DOCTYPE configuration [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><configuration><config><add key=\"a\" value=\"&x;\" /></config></configuration>",
        })
        {
            var path = dir.Write("bad.config", text);
            var error = Assert.ThrowsExactly<NuGetConfigException>(() => NuGetConfigFile.Read(path));
            Assert.AreEqual(path, error.Path);
        }
    }
}
