using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Generation;
using MultiStage.Model;
using MultiStage.NuGet;

namespace MultiStage.Core.Tests.NuGet;

/// <summary>What generation makes of the NuGet.config files restore reads: renderings in the context, the secret mount, the reports.</summary>
[TestClass]
public sealed class NuGetConfigGenerationTests
{
    private const string Password = "pw-9f3&<secret>";
    private const string RemoteSource = "<add key=\"remote\" value=\"https://feed.example/v3/index.json\" />";

    private static string Config(string sources = RemoteSource, string extra = "") =>
        $"<configuration><packageSources><clear />{sources}</packageSources>{extra}</configuration>";

    private static string Credentials(string password = Password, string key = "ClearTextPassword") =>
        $"<packageSourceCredentials><remote><add key=\"Username\" value=\"ci\" /><add key=\"{key}\" value=\"{System.Security.SecurityElement.Escape(password)}\" /></remote></packageSourceCredentials>";

    private static GenerationResult? Generate(RepoFixture repo, TestLog log, Func<string, string?>? environment = null, string builder = "") =>
        Generator.Generate(repo.Project(), repo.Settings() with { EnvironmentVariable = environment ?? (_ => null), Builder = builder }, repo.ExternalRoots, false, log);

    [TestMethod]
    public void TheContextHoldsARenderingWithoutThePasswordWhereRestoreLooksForTheConfig()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(extra: Credentials()));
        repo.Write("src/App/NuGet.Config", Config());
        var log = new TestLog();
        var result = Generate(repo, log)!;
        Assert.AreEqual("", log.ErrorCodes);

        foreach (var (original, rendering) in new[] { ("NuGet.config", ".multistage/nuget/nuget.config"), ("src/App/NuGet.Config", ".multistage/nuget/src/App/nuget.config") })
        {
            StringAssert.Contains(result.DockerfileText, $"COPY [\"{rendering}\", \"{original}\"]\n");
            var text = File.ReadAllText(repo.P(rendering));
            StringAssert.Contains(text, "https://feed.example/v3/index.json");
            Assert.IsFalse(text.Contains("pw-9f3", StringComparison.Ordinal), text);
            CollectionAssert.Contains(result.OutputFiles.ToList(), repo.P(rendering), "a stamped output: an edit of it plans again");
        }

        // The renderings are copied before restore runs; the originals never travel.
        Assert.IsTrue(result.DockerfileText.IndexOf(".multistage/nuget/nuget.config", StringComparison.Ordinal) < result.DockerfileText.IndexOf("dotnet restore", StringComparison.Ordinal));
        var ignore = DockerIgnore.Parse(result.DockerIgnoreText!);
        Assert.IsTrue(ignore.IsExcluded("NuGet.config") && ignore.IsExcluded("src/App/NuGet.Config"));
        Assert.IsFalse(ignore.IsExcluded(".multistage/nuget/nuget.config") || ignore.IsExcluded(".multistage/nuget/src/App/nuget.config"));
    }

    [TestMethod]
    [DataRow("nuget.config")]
    [DataRow("NuGet.Config")]
    [DataRow("NUGET.CONFIG")]
    [DataRow("deep/er/Nuget.Config")]
    public void TheGeneratedDockerIgnoreKeepsEveryCasingOfNuGetConfigOut(string path)
    {
        var ignore = DockerIgnore.Parse(DockerIgnoreTemplate.Render(Array.Empty<string>()));
        Assert.IsTrue(ignore.IsExcluded(path));
        Assert.IsFalse(ignore.IsExcluded(NuGetConfigPlacement.RenderingFolder + "/" + path), "renderings stay in");
    }

    [TestMethod]
    public void RenderingsAreWrittenOnlyWhenTheyChange()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(extra: Credentials()));
        Generate(repo, new TestLog());
        var second = Generate(repo, new TestLog())!;
        Assert.AreEqual(0, second.WrittenFiles.Count, string.Join(", ", second.WrittenFiles));
    }

    [TestMethod]
    public void TheDockerfileChangesWithWhetherCredentialsExistNeverWithTheirValue()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config());
        var without = Generate(repo, new TestLog())!.DockerfileText;
        Assert.IsFalse(without.Contains("type=secret", StringComparison.Ordinal));

        repo.Write("NuGet.config", Config(extra: Credentials()));
        var with = Generate(repo, new TestLog())!.DockerfileText;
        StringAssert.Contains(with, "RUN --mount=type=secret,id=nuget-credentials,target=/root/.nuget/NuGet/config/multistage-credentials.config \\\n    --mount=type=cache");
        StringAssert.Contains(with, "--secret id=nuget-credentials,src=");

        repo.Write("NuGet.config", Config(extra: Credentials("another-password")));
        Assert.AreEqual(with, Generate(repo, new TestLog())!.DockerfileText);
        repo.Write("NuGet.config", Config(extra: Credentials("%FEED_TOKEN%")));
        Assert.AreEqual(with, Generate(repo, new TestLog(), name => name == "FEED_TOKEN" ? Password : null)!.DockerfileText);

        // NuGet's own variable supplies credentials that no file holds.
        repo.Write("NuGet.config", Config());
        Assert.AreEqual(with, Generate(repo, new TestLog(), name => name == NuGetCredentials.EnvironmentPrefix + "remote" ? $"Username=ci;Password={Password}" : null)!.DockerfileText);
    }

    [TestMethod]
    public void CredentialsWithTheClassicBuilderAreACodedError()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(extra: Credentials()));
        var log = new TestLog();
        Assert.IsNull(Generate(repo, log, builder: "Classic"));
        Assert.AreEqual(ErrorCodes.NuGetCredentialsNeedBuildKit, log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, "BuildKit");
        StringAssert.Contains(log.Errors[0].Message, "MultiStageBuilder");
    }

    [TestMethod]
    public void AUserDockerIgnoreThatLetsACredentialConfigInIsACodedError()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(extra: Credentials()));
        repo.Write(".dockerignore", "**/bin/\n**/obj/\n");
        var log = new TestLog();
        Assert.IsNull(Generate(repo, log));
        Assert.AreEqual(ErrorCodes.NuGetConfigInContext, log.ErrorCodes);

        // The two lines the message gives are enough.
        repo.Write(".dockerignore", $"**/bin/\n**/obj/\n{DockerIgnoreTemplate.NuGetConfigPattern}\n!{NuGetConfigPlacement.RenderingFolder}/**\n");
        log = new TestLog();
        Assert.IsNotNull(Generate(repo, log));
        Assert.AreEqual("", log.ErrorCodes);
    }

    [TestMethod]
    public void SourcesTheBuildStageCannotReachAndUnusableSecretsAreWarnedAbout()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(
            RemoteSource + "<add key=\"outside\" value=\"../../elsewhere\" /><add key=\"local\" value=\"http://localhost:5555/v3/index.json\" />",
            Credentials(key: "Password") + "<apikeys><add key=\"https://feed.example\" value=\"key\" /></apikeys>"));
        var log = new TestLog();
        var result = Generate(repo, log)!;
        var warnings = log.Warnings.Select(w => w.Code).OrderBy(c => c, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(new[] { ErrorCodes.UnreachableNuGetSource, ErrorCodes.UnreachableNuGetSource, ErrorCodes.EncryptedNuGetPassword, ErrorCodes.NuGetSecretLeftOut }, warnings);
        Assert.IsTrue(log.Warnings.Any(w => w.Message.Contains("'outside'") && w.Message.Contains("MultiStageContextRoot")));
        Assert.IsTrue(log.Warnings.Any(w => w.Message.Contains("'local'") && w.Message.Contains("MultiStageBuildNetwork=host")));
        Assert.IsTrue(log.Warnings.Any(w => w.Message.Contains("ClearTextPassword") && w.Message.Contains(NuGetCredentials.EnvironmentPrefix + "remote")));
        // A DPAPI password is no credential the build stage can use: no secret mount for it.
        Assert.IsFalse(result.DockerfileText.Contains("type=secret", StringComparison.Ordinal));
    }

    [TestMethod]
    public void OnTheHostNetworkALoopbackFeedIsReachableAndAnOutsideFolderStillIsNot()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", Config(RemoteSource + "<add key=\"outside\" value=\"../../elsewhere\" /><add key=\"local\" value=\"http://127.0.0.1:5555/v3/index.json\" />"));
        var log = new TestLog();
        Assert.IsNotNull(Generator.Generate(repo.Project(), repo.Settings() with { BuildNetwork = "host" }, repo.ExternalRoots, false, log));
        Assert.AreEqual(1, log.Warnings.Count, string.Join("\n", log.Warnings));
        StringAssert.Contains(log.Warnings[0].Message, "'outside'");
    }

    [TestMethod]
    public void AConfigRestoreCannotReadIsACodedError()
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", "<configuration><packageSources>");
        var log = new TestLog();
        Assert.IsNull(Generate(repo, log));
        Assert.AreEqual(ErrorCodes.NuGetConfigUnreadable, log.ErrorCodes);
    }
}
