using System.IO.Compression;
using System.Text;
using MultiStage.Engine.Client;
using MultiStage.NuGet;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// End to end through the packed SDK: a web app restoring a package from the password-protected feed, containerized
/// with <c>MultiStageBuildImage=true</c>, builds and runs, and the password (or its Basic header) is in no layer of
/// either stage, no history entry, not in the build context as sent, nor in the console log or binlog.
/// </summary>
public sealed partial class PrivateFeedTests
{
    public enum Kind
    {
        ClearTextPassword,
        EnvironmentVariable,
        VariableReference,
    }

    [TestMethod]
    [DataRow(Kind.ClearTextPassword)]
    [DataRow(Kind.EnvironmentVariable)]
    [DataRow(Kind.VariableReference)]
    public void ImageBuildsAndRunsWithThePasswordNowhere(Kind kind)
    {
        var (dir, environment) = Workspace(kind);
        var repository = $"e2e/private-feed-{kind.ToString().ToLowerInvariant()}-{Nonce}";
        Images.AddRange(new[] { repository + ":1", repository + "-build:1" });

        var downloads = _feed.PackageDownloads;
        var final = Containerize(dir, repository, environment, kind == Kind.ClearTextPassword ? "diag" : "detailed");
        Assert.IsTrue(_feed.PackageDownloads > downloads, "restore fetched the package from the authenticated feed");
        var dockerfile = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(dockerfile, "--mount=type=secret,id=nuget-credentials,target=/root/.nuget/NuGet/config/multistage-credentials.config");
        // The feed is on loopback, and the build runs in the host's network (MultiStageBuildNetwork=host): no MSTAGE170.
        Assert.IsFalse(final.Output.Contains("MSTAGE170", StringComparison.Ordinal), final.Output);
        WebAppContainer.Run(repository + ":1");

        // The build stage on its own: what `--target build` or the build cache keeps.
        var build = Containerize(dir, repository + "-build", environment, "normal", "-p:MultiStageBuildTarget=build");

        AssertNotIn(final.Output, "the console log");
        AssertNotIn(build.Output, "the console log of the build-stage build");
        AssertNotIn(BinlogText(Path.Combine(dir, "..", "final.binlog")), "the binlog");
        AssertNotIn(Dockerfile(dir), "the generated files");
        AssertNotIn(ContextAsSent(dir), "the build context as sent");
        AssertPasswordNowhere(repository + ":1");
        AssertPasswordNowhere(repository + "-build:1");

        Assert.IsFalse(DockerCli.FileList(repository + ":1").Any(f => NuGetConfigFile.IsConfigFileName(Path.GetFileName(f))), "no NuGet.config in the app");
    }

    [TestMethod]
    public void TheDockerCliBuildsTheGeneratedDockerfileWithTheDocumentedSecret()
    {
        var (dir, environment) = Workspace(Kind.ClearTextPassword);
        var repository = $"e2e/private-feed-cli-{Nonce}";
        Images.Add(repository + ":1");

        // Generation only; the docker CLI builds, given the app's own NuGet.config as the secret (docs/private-feeds.md).
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", "-p:MultiStageCacheMounts=false",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "--secret id=nuget-credentials,src=");
        var downloads = _feed.PackageDownloads;
        DockerCli.Run("build", "--no-cache", "--network", "host", "--secret", $"id=nuget-credentials,src={Path.Combine(dir, "NuGet.config")}", "-t", repository + ":1", dir).EnsureSuccess();
        Assert.IsTrue(_feed.PackageDownloads > downloads, "the build stage fetched the package");
        AssertPasswordNowhere(repository + ":1");
        WebAppContainer.Run(repository + ":1");

        // Without the secret the same Dockerfile cannot restore: the secret alone authenticates.
        var without = DockerCli.Run("build", "--no-cache", "--network", "host", dir);
        Assert.AreNotEqual(0, without.ExitCode);
        Assert.IsTrue(without.Output.Contains("401", StringComparison.Ordinal) || without.Output.Contains("NU1301", StringComparison.Ordinal), ProcessResult.Tail(without.Output, 30));
    }

    /// <summary>The webapi asset with a NuGet.config beside the project naming the feed, and the package referenced.</summary>
    private static (string Dir, Dictionary<string, string?> Environment) Workspace(Kind kind)
    {
        var dir = TestEnvironment.CreateWorkspace("webapi", "private-" + kind.ToString().ToLowerInvariant());
        var project = Path.Combine(dir, "WebApi.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>",
            $"  <ItemGroup>\n    <PackageReference Include=\"{AuthenticatedFeed.PackageId}\" Version=\"{AuthenticatedFeed.PackageVersion}\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));

        var environment = new Dictionary<string, string?>();
        var (user, password) = ("ci-user", Escape(Password));
        switch (kind)
        {
            case Kind.EnvironmentVariable:
                environment[NuGetCredentials.EnvironmentPrefix + SourceName] = $"Username=ci-user;Password={Password}";
                break;
            case Kind.VariableReference:
                environment["FEED_USER"] = "ci-user";
                environment["FEED_TOKEN"] = Password;
                (user, password) = ("%FEED_USER%", "%FEED_TOKEN%");
                break;
        }

        var credentials = kind == Kind.EnvironmentVariable ? "" : $"""
              <packageSourceCredentials>
                <Private_x0020_Feed>
                  <add key="Username" value="{user}" />
                  <add key="ClearTextPassword" value="{password}" />
                </Private_x0020_Feed>
              </packageSourceCredentials>
            """;
        // No <clear/>: the SDK package comes from the test feed above, everything else from nuget.org.
        File.WriteAllText(Path.Combine(dir, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <!-- the password is {Escape(Password)} -->
              <packageSources>
                <add key="{SourceName}" value="{_feed.IndexUrl}" allowInsecureConnections="true" />
              </packageSources>
            {credentials}
            </configuration>
            """);
        return (dir, environment);
    }

    /// <summary>ContainerizeMultiStage with the image built through the engine API, at <paramref name="verbosity"/>, with a binlog beside the workspace.</summary>
    private static ProcessResult Containerize(string dir, string repository, IDictionary<string, string?> environment, string verbosity, params string[] extra)
    {
        var binlog = Path.Combine(dir, "..", repository.EndsWith("-build", StringComparison.Ordinal) ? "build.binlog" : "final.binlog");
        var args = new[]
        {
            "build", "-t:ContainerizeMultiStage", "-nologo", "-v:" + verbosity, "-bl:" + binlog,
            "-p:MultiStageBuildImage=true", "-p:MultiStageBuildNetwork=host", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            // No cache anywhere: BuildKit does not key a step on its secrets, and NuGet's HTTP cache would answer for the feed.
            "-p:MultiStageNoCache=true", "-p:MultiStageCacheMounts=false",
            $"-p:ContainerRepository={repository}", "-p:ContainerImageTags=1",
        }.Concat(extra);
        var result = ProcessRunner.Run("dotnet", args, dir, environment, TimeSpan.FromMinutes(20)).EnsureSuccess();
        AssertNotIn(BinlogText(binlog), "the binlog of " + repository);
        return result;
    }

    private static void AssertNotIn(string text, string where) => AssertNotIn(Encoding.UTF8.GetBytes(text), where);

    /// <summary>Every generated file in the context: the Dockerfile, the .dockerignore and the NuGet.config renderings.</summary>
    private static byte[] Dockerfile(string dir)
    {
        var renderings = Directory.EnumerateFiles(Path.Combine(dir, ".multistage", "nuget"), "*", SearchOption.AllDirectories).ToList();
        Assert.AreEqual(1, renderings.Count, string.Join(", ", renderings));
        return new[] { Path.Combine(dir, "Dockerfile"), Path.Combine(dir, ".dockerignore") }.Concat(renderings).SelectMany(File.ReadAllBytes).ToArray();
    }

    /// <summary>The build context exactly as the engine client streams it to the engine, with the generated .dockerignore applied.</summary>
    private static byte[] ContextAsSent(string dir)
    {
        using var stream = new MemoryStream();
        new DirectoryBuildContext(dir).WriteTarAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        var tar = stream.ToArray();
        var original = File.ReadAllBytes(Path.Combine(dir, "NuGet.config"));
        Assert.AreNotEqual(-1, original.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)), "the search finds the password where it is: in the original on disk");
        // The original is on disk beside the project: the context must have left it out, and kept the rendering.
        Assert.AreEqual(-1, tar.AsSpan().IndexOf(Encoding.ASCII.GetBytes("NuGet.config\0")), "the original NuGet.config is in the context");
        Assert.AreNotEqual(-1, tar.AsSpan().IndexOf(Encoding.ASCII.GetBytes(".multistage/nuget/nuget.config")), "the rendering is in the context");
        return tar;
    }

    /// <summary>A binlog is a gzip stream of records whose strings are UTF-8: decompressed, a byte search covers every message and property.</summary>
    private static byte[] BinlogText(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var text = new MemoryStream();
        gzip.CopyTo(text);
        Assert.IsTrue(text.Length > 100_000, $"{path} holds the build's log");
        return text.ToArray();
    }
}
