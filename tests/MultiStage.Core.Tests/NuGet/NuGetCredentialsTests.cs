using System.Text;
using System.Xml.Linq;
using MultiStage.NuGet;

namespace MultiStage.Core.Tests.NuGet;

[TestClass]
public sealed class NuGetCredentialsTests
{
    private const string Hostile = "p&<>\"';%x]]>\u00e9 &amp;";

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();

    private static string Source(string name, string url = "https://feed.example/v3/index.json") => $"<packageSources><add key=\"{name}\" value=\"{url}\" /></packageSources>";

    private static string Credentials(string element, string user, string password, string passwordKey = "ClearTextPassword") =>
        $"<packageSourceCredentials><{element}><add key=\"Username\" value=\"{System.Security.SecurityElement.Escape(user)}\" /><add key=\"{passwordKey}\" value=\"{System.Security.SecurityElement.Escape(password)}\" /></{element}></packageSourceCredentials>";

    /// <summary>The credentials the secret text gives NuGet, read back the way NuGet reads a config.</summary>
    private static IReadOnlyList<NuGetCredential> ReadBack(ConfigDirectory dir, NuGetCredentials result)
    {
        Assert.IsNotNull(result.ConfigText);
        var secret = dir.Read("secret/NuGet.Config", result.ConfigText);
        Assert.AreEqual(0, secret.Sources.Count, "the secret holds credentials only");
        Assert.AreEqual(1, XDocument.Parse(result.ConfigText).Root!.Elements().Count());
        return secret.Credentials;
    }

    [TestMethod]
    public void PasswordsWithXmlSpecialCharactersRoundTripThroughTheSecret()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", $"<configuration>{Source("My Feed")}{Credentials("My_x0020_Feed", "u<&>", Hostile)}</configuration>");
        var result = NuGetCredentials.Collect(new[] { config }, Env());
        Assert.AreEqual(new NuGetCredential("My Feed", "u<&>", Hostile, false, null), ReadBack(dir, result).Single());
        StringAssert.Contains(result.ConfigText, "<My_x0020_Feed>");
        Assert.IsFalse(result.ConfigText!.Contains('\r'));
    }

    [TestMethod]
    public void VariablesAreExpandedFromTheHostAndMissingOnesReported()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", $"<configuration>{Source("feed")}{Credentials("feed", "%FEED_USER%", "%FEED_TOKEN%-%MISSING%")}</configuration>");
        var result = NuGetCredentials.Collect(new[] { config }, Env(("FEED_USER", "ci"), ("FEED_TOKEN", Hostile)));
        Assert.AreEqual(new NuGetCredential("feed", "ci", Hostile + "-%MISSING%", false, null), ReadBack(dir, result).Single());
        CollectionAssert.AreEqual(new[] { "MISSING" }, result.UndefinedVariables.ToList());
    }

    [TestMethod]
    public void ExpansionFollowsEnvironmentExpandVariables()
    {
        var env = Env(("A", "1"), ("B", "2"));
        foreach (var (value, expected) in new[]
        {
            ("%A%", "1"), ("x%A%y%B%z", "x1y2z"), ("%Q%B%", "%Q2"), ("%%", "%%"), ("100%", "100%"), ("%A", "%A"), ("%A%%B%", "12"),
        })
        {
            Assert.AreEqual(expected, NuGetCredentials.Expand(value, env, new HashSet<string>()), value);
        }

        // Undefined names stay as written, exactly as the runtime leaves them.
        foreach (var value in new[] { "%MS_UNDEFINED_Q%", "a%MS_UNDEFINED_Q%b%", "%%MS_UNDEFINED_Q%%", "x%" })
        {
            Assert.AreEqual(Environment.ExpandEnvironmentVariables(value), NuGetCredentials.Expand(value, _ => null, new HashSet<string>()), value);
        }
    }

    [TestMethod]
    public void EnvironmentVariableBeatsTheConfigsAndCloserConfigsBeatFartherOnes()
    {
        using var dir = new ConfigDirectory();
        var near = dir.Read("repo/src/NuGet.config", $"<configuration>{Source("a")}{Credentials("a", "near", "near-pw")}</configuration>");
        var far = dir.Read("repo/NuGet.config", $"<configuration>{Source("b", "https://b.example/v3/index.json")}{Credentials("a", "far", "far-pw")}{Credentials("b", "far", "b-pw")}</configuration>");
        var result = NuGetCredentials.Collect(new[] { near, far }, Env(("NuGetPackageSourceCredentials_b", " Username=env;Password=e;n=v;ValidAuthenticationTypes=basic ")));
        CollectionAssert.AreEqual(
            new[] { new NuGetCredential("a", "near", "near-pw", false, null), new NuGetCredential("b", "env", "e;n=v", false, "basic") },
            ReadBack(dir, result).ToList());
    }

    [TestMethod]
    public void ClearDisabledAndUndeclaredSourcesGetNoCredentials()
    {
        using var dir = new ConfigDirectory();
        var near = dir.Read("repo/NuGet.config",
            "<configuration><packageSources><clear /><add key=\"kept\" value=\"https://k.example/v3/index.json\" /><add key=\"off\" value=\"https://o.example/v3/index.json\" /></packageSources>"
            + "<disabledPackageSources><add key=\"OFF\" value=\"true\" /></disabledPackageSources></configuration>");
        var far = dir.Read("user/NuGet.Config",
            $"<configuration>{Source("cleared")}<packageSourceCredentials>"
            + "<kept><add key=\"Username\" value=\"u\" /><add key=\"ClearTextPassword\" value=\"kept-pw\" /></kept>"
            + "<off><add key=\"Username\" value=\"u\" /><add key=\"ClearTextPassword\" value=\"off-pw\" /></off>"
            + "<cleared><add key=\"Username\" value=\"u\" /><add key=\"ClearTextPassword\" value=\"cleared-pw\" /></cleared>"
            + "<stranger><add key=\"Username\" value=\"u\" /><add key=\"ClearTextPassword\" value=\"stranger-pw\" /></stranger>"
            + "</packageSourceCredentials></configuration>");
        var result = NuGetCredentials.Collect(new[] { near, far }, Env());
        CollectionAssert.AreEqual(new[] { "kept" }, result.SourceNames.ToList());
        Assert.AreEqual("kept-pw", ReadBack(dir, result).Single().Password);
    }

    [TestMethod]
    public void EncryptedPasswordsAreSurfacedAndNeverSent()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", $"<configuration>{Source("feed")}{Credentials("feed", "u", "AQAAANCMnd8BFdERjHoAwE", "Password")}</configuration>");
        var result = NuGetCredentials.Collect(new[] { config }, Env());
        Assert.IsNull(result.ConfigText);
        CollectionAssert.AreEqual(new[] { "feed" }, result.EncryptedPasswordSources.ToList());

        // A variable in NuGet's convention stands in for it, as it does for NuGet itself.
        var withVariable = NuGetCredentials.Collect(new[] { config }, Env(("NuGetPackageSourceCredentials_feed", "Username=u;Password=p")));
        Assert.AreEqual(0, withVariable.EncryptedPasswordSources.Count);
        Assert.AreEqual("p", ReadBack(dir, withVariable).Single().Password);
    }

    [TestMethod]
    public void NoCredentialsNoSecret()
    {
        using var dir = new ConfigDirectory();
        var config = dir.Read("NuGet.config", $"<configuration>{Source("feed")}</configuration>");
        var result = NuGetCredentials.Collect(new[] { config }, Env(("NuGetPackageSourceCredentials_feed", "not the convention")));
        Assert.IsNull(result.ConfigText);
        Assert.AreEqual(0, result.SourceNames.Count);
    }

    /// <summary>
    /// Over many generated configs (random casing of sections and keys, hostile values, credentials anywhere, comments,
    /// %VAR% references): no username or password survives the rendering in any encoding, and the rendering
    /// keeps the sources.
    /// </summary>
    [TestMethod]
    public void NoCredentialSurvivesTheRendering()
    {
        using var dir = new ConfigDirectory();
        var random = new Random(20260105);
        for (var round = 0; round < 300; round++)
        {
            var secrets = new List<string>();
            var sections = new List<string>();
            var sourceCount = random.Next(1, 4);
            var sourcesName = Case(random, "packageSources");
            var sources = new StringBuilder("<" + sourcesName + ">");
            for (var i = 0; i < sourceCount; i++)
            {
                sources.Append($"<add key=\"src {i}\" value=\"https://feed{i}.example/v3/index.json\" />");
            }

            sections.Add(sources.Append("</" + sourcesName + ">").ToString());
            var credentialSections = random.Next(1, 3);
            for (var c = 0; c < credentialSections; c++)
            {
                var user = "user" + Token(random);
                var password = random.Next(3) == 0 ? "%" + Token(random) + "%" : Token(random) + Hostile.Substring(0, random.Next(Hostile.Length));
                secrets.Add(user);
                secrets.Add(password.Trim('%'));
                var name = Case(random, "packageSourceCredentials");
                var passwordKey = Case(random, random.Next(2) == 0 ? "ClearTextPassword" : "Password");
                var comment = random.Next(2) == 0 ? $"<!-- old: {System.Security.SecurityElement.Escape(password).Replace("--", "")} -->" : "";
                sections.Add($"{comment}<{name}><src_x0020_{c}><add key=\"{Case(random, "Username")}\" value=\"{System.Security.SecurityElement.Escape(user)}\" />"
                    + $"<add key=\"{passwordKey}\" value=\"{System.Security.SecurityElement.Escape(password)}\" /></src_x0020_{c}></{name}>");
            }

            var shuffled = sections.OrderBy(_ => random.Next()).ToList();
            var config = dir.Read($"r{round}/NuGet.config", "<configuration>" + string.Concat(shuffled) + "</configuration>");
            var rendered = config.RenderWithoutCredentials();
            foreach (var secret in secrets.Where(s => s.Length > 0))
            {
                foreach (var form in new[] { secret, System.Security.SecurityElement.Escape(secret)!, Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) })
                {
                    Assert.IsFalse(rendered.Contains(form, StringComparison.OrdinalIgnoreCase), $"round {round}: '{form}' in\n{rendered}");
                }
            }

            var reread = dir.Read($"r{round}/rendered.config", rendered);
            Assert.IsFalse(reread.HasCredentials);
            CollectionAssert.AreEqual(config.Sources.Select(s => (s.Name, s.Value)).ToList(), reread.Sources.Select(s => (s.Name, s.Value)).ToList());
        }
    }

    private static string Token(Random random) => random.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Case(Random random, string name) =>
        new(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray());
}
