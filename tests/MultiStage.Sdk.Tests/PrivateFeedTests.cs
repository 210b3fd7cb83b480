using System.Text;
using MultiStage.NuGet;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The private-feed design on the real engine: the build context holds a credential-free rendering of the
/// NuGet.config, restore reads the credentials from a BuildKit secret mounted as the user-level NuGet config, and
/// no byte of the password reaches any layer, config or history entry of either stage.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed partial class PrivateFeedTests
{
    // A space in the name: the credentials element is then My_x0020_Feed, which NuGet must match back to the source.
    private const string SourceName = "Private Feed";
    private const string SecretId = "nuget-credentials";
    private const string UserConfig = "/root/.nuget/NuGet/NuGet.Config";

    // NuGet also reads every *.config of config/ beside the user-level file, after it.
    private const string AdditionalUserConfig = "/root/.nuget/NuGet/config/multistage-credentials.config";

    private static readonly string Nonce = Guid.NewGuid().ToString("N").Substring(0, 12);

    // The marker finds the password however it is encoded (XML-escaped, in a header, in a shell line); the rest is hostile to XML and shells.
    private static readonly string Marker = "pw" + Nonce;
    private static readonly string Password = Marker + "&<\"'>;%x";
    private static readonly List<string> Images = new();
    private static AuthenticatedFeed _feed = null!;

    [ClassInitialize]
    public static void Start(TestContext context)
    {
        DockerCli.RequireEngine();
        _feed = new AuthenticatedFeed("ci-user", Password);
    }

    [ClassCleanup]
    public static void Stop()
    {
        _feed?.Dispose();
        if (Images.Count > 0)
        {
            DockerCli.Run(new[] { "rmi", "-f" }.Concat(Images).ToArray());
        }
    }

    [TestMethod]
    public void ClearTextPasswordReachesRestoreOnlyThroughTheSecret()
    {
        var original = Config(ClearTextCredentials);
        var build = Prepare(original, _ => null);
        var image = $"private-feed-cleartext-{Nonce}";

        var withSecret = build.Run(image, withSecret: true);
        withSecret.EnsureSuccess();
        Assert.IsTrue(_feed.PackageDownloads > 0, "the package came from the authenticated feed");
        StringAssert.Contains(withSecret.Output, "Private Feed", "the source list of the build stage names the source");
        AssertPasswordNowhere(image);
        AssertPasswordNowhere(image + "-build");

        // Without the secret the same context fails: the secret, not anything in the context, is what authenticates.
        var rejectedBefore = _feed.Rejected;
        var withoutSecret = build.Run(image + "-nosecret", withSecret: false);
        Assert.AreNotEqual(0, withoutSecret.ExitCode, withoutSecret.Output);
        Assert.IsTrue(withoutSecret.Output.Contains("401", StringComparison.Ordinal) || withoutSecret.Output.Contains("NU1301", StringComparison.Ordinal), ProcessResult.Tail(withoutSecret.Output, 40));
        Assert.IsTrue(_feed.Rejected > rejectedBefore);
    }

    [TestMethod]
    public void EnvironmentVariableCredentialsReachRestore()
    {
        // No credential in any file: NuGet's NuGetPackageSourceCredentials_<name> convention on the host supplies it.
        var environment = new Dictionary<string, string>
        {
            [NuGetCredentials.EnvironmentPrefix + SourceName] = $"Username=ci-user;Password={Password}",
        };
        var build = Prepare(Config(""), name => environment.TryGetValue(name, out var value) ? value : null);
        var image = $"private-feed-env-{Nonce}";
        build.Run(image, withSecret: true).EnsureSuccess();
        AssertPasswordNowhere(image + "-build");
    }

    [TestMethod]
    public void VariableReferenceIsExpandedOnTheHostOnly()
    {
        var original = Config("""
              <packageSourceCredentials>
                <Private_x0020_Feed>
                  <add key="Username" value="%FEED_USER%" />
                  <add key="ClearTextPassword" value="%FEED_TOKEN%" />
                </Private_x0020_Feed>
              </packageSourceCredentials>
            """);
        var environment = new Dictionary<string, string> { ["FEED_USER"] = "ci-user", ["FEED_TOKEN"] = Password };
        var build = Prepare(original, name => environment.TryGetValue(name, out var value) ? value : null);
        Assert.IsFalse(File.ReadAllText(build.SecretFile).Contains("%FEED_TOKEN%", StringComparison.Ordinal), "expanded before it leaves the host");
        var image = $"private-feed-var-{Nonce}";
        build.Run(image, withSecret: true).EnsureSuccess();
        AssertPasswordNowhere(image + "-build");
    }

    [TestMethod]
    public void SecretAsUserConfigHidesTheImageDefaultSourceAnAdditionalConfigKeepsIt()
    {
        // Without <clear/>, the repository config adds its feed to the user-level sources (nuget.org by default).
        var original = Config(ClearTextCredentials, clear: false);

        var asUserConfig = Prepare(original, _ => null).Run($"private-feed-user-{Nonce}", withSecret: true).EnsureSuccess();
        var sources = StepLog(asUserConfig.Output, "dotnet nuget list source &&");
        StringAssert.Contains(sources, SourceName);
        Assert.IsFalse(sources.Contains("nuget.org", StringComparison.Ordinal), "the secret took the place of the default user config:\n" + sources);

        var image = $"private-feed-additional-{Nonce}";
        var asAdditional = Prepare(original, _ => null, AdditionalUserConfig).Run(image, withSecret: true).EnsureSuccess();
        sources = StepLog(asAdditional.Output, "dotnet nuget list source &&");
        StringAssert.Contains(sources, SourceName);
        StringAssert.Contains(sources, "nuget.org", "the default user config still counts");
        AssertPasswordNowhere(image + "-build");
    }

    private static string ClearTextCredentials => $"""
          <packageSourceCredentials>
            <Private_x0020_Feed>
              <add key="Username" value="ci-user" />
              <add key="ClearTextPassword" value="{Escape(Password)}" />
            </Private_x0020_Feed>
          </packageSourceCredentials>
        """;

    private static string Escape(string value) => System.Security.SecurityElement.Escape(value)!;

    /// <summary>
    /// A repository config whose own sources replace every other (<c>&lt;clear/&gt;</c>), or, with
    /// <paramref name="clear"/> false, that keeps them and maps the package to the feed so no other is asked.
    /// </summary>
    private static string Config(string credentials, bool clear = true) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <!-- the password was {Escape(Password)} -->
          <packageSources>
            {(clear ? "<clear />" : "")}
            <add key="{SourceName}" value="{_feed.IndexUrl}" allowInsecureConnections="true" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="{SourceName}">
              <package pattern="MultiStage.Test.*" />
            </packageSource>
          </packageSourceMapping>
        {credentials}
        </configuration>
        """;

    /// <summary>The log lines of the plain-progress build step whose command contains <paramref name="stepText"/>.</summary>
    private static string StepLog(string buildOutput, string stepText)
    {
        var lines = buildOutput.Split('\n');
        var id = lines.First(l => l.StartsWith('#') && l.Contains(stepText, StringComparison.Ordinal)).Split(' ')[0];
        return string.Join("\n", lines.Where(l => l.StartsWith(id + " ", StringComparison.Ordinal)));
    }

    /// <summary>A build context as the generator will lay it out, the original config and the secret outside it.</summary>
    private static PreparedBuild Prepare(string originalConfig, Func<string, string?> environment, string mountTarget = UserConfig)
    {
        var root = Path.Combine(TestEnvironment.WorkDirectory, "private-feed", Guid.NewGuid().ToString("N").Substring(0, 8));
        var context = Path.Combine(root, "context");
        Directory.CreateDirectory(context);
        var originalPath = Path.Combine(root, "NuGet.config");
        File.WriteAllText(originalPath, originalConfig);
        var config = NuGetConfigFile.Read(originalPath);

        var rendered = config.RenderWithoutCredentials();
        Assert.IsFalse(rendered.Contains(Marker, StringComparison.Ordinal), rendered);
        File.WriteAllText(Path.Combine(context, "nuget.config"), rendered);

        var credentials = NuGetCredentials.Collect(new[] { config }, environment);
        Assert.IsNotNull(credentials.ConfigText, "credentials were found");
        CollectionAssert.AreEqual(new[] { SourceName }, credentials.SourceNames.ToArray());
        var secret = Path.Combine(root, "nuget-credentials.config");
        File.WriteAllText(secret, credentials.ConfigText);

        File.WriteAllText(Path.Combine(context, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{AuthenticatedFeed.PackageId}" Version="{AuthenticatedFeed.PackageVersion}" />
              </ItemGroup>
            </Project>
            """);
        // The restore step mounts the secret where NuGet reads a user-level config and lists the sources it sees;
        // the next step proves NuGet still reads its configs once the mount is gone.
        File.WriteAllText(Path.Combine(context, "Dockerfile"), $"""
            FROM {TestEnvironment.ImageRegistry}/dotnet/sdk:10.0 AS build
            WORKDIR /src
            COPY nuget.config app.csproj ./
            RUN --mount=type=secret,id={SecretId},target={mountTarget} dotnet nuget list source && dotnet restore app.csproj
            RUN dotnet nuget list source

            FROM {TestEnvironment.ImageRegistry}/dotnet/runtime-deps:10.0 AS final
            COPY --from=build /src/obj/project.assets.json /app/
            COPY --from=build /root/.nuget/packages/{AuthenticatedFeed.PackageId.ToLowerInvariant()}/ /app/packages/

            """);
        return new PreparedBuild(context, secret);
    }

    /// <summary>Every byte of <c>docker save</c> (layers, image config, history) and <c>docker history</c> is free of the password.</summary>
    private static void AssertPasswordNowhere(string image)
    {
        var archive = Path.Combine(Path.GetTempPath(), $"save-{Guid.NewGuid():N}.tar");
        try
        {
            DockerCli.Run("save", "-o", archive, image).EnsureSuccess();
            var bytes = File.ReadAllBytes(archive);
            Assert.IsTrue(bytes.Length > 1_000_000, $"{image} saved with its layers");
            AssertNotIn(bytes, $"the saved image {image}");
        }
        finally
        {
            File.Delete(archive);
        }

        var history = DockerCli.Run("history", "--no-trunc", image).EnsureSuccess().Output;
        AssertNotIn(Encoding.UTF8.GetBytes(history), $"the history of {image}");
        if (image.EndsWith("-build", StringComparison.Ordinal))
        {
            StringAssert.Contains(history, "dotnet restore", "the history holds the restore step");
        }
    }

    /// <summary>Neither the password's marker nor the Basic Authorization value a client sends with it.</summary>
    private static void AssertNotIn(byte[] bytes, string where)
    {
        Assert.IsTrue(bytes.Length > 0, $"{where} is empty: nothing was searched");
        Assert.AreEqual(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)), $"the password is in {where}");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(_feed.Username + ":" + Password));
        Assert.AreEqual(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(basic)), $"the Authorization value is in {where}");
    }

    private sealed record PreparedBuild(string Context, string SecretFile)
    {
        /// <summary>Builds the final stage as <paramref name="image"/> and the build stage as <c>{image}-build</c>.</summary>
        public ProcessResult Run(string image, bool withSecret)
        {
            // No cache: BuildKit does not key a step on its secrets, so a cached restore would hide a missing one.
            var common = new List<string> { "build", "--no-cache", "--network", "host", "--progress", "plain" };
            if (withSecret)
            {
                common.AddRange(new[] { "--secret", $"id={SecretId},src={SecretFile}" });
            }

            Images.AddRange(new[] { image, image + "-build" });
            var final = DockerCli.Run(common.Concat(new[] { "-t", image, Context }).ToArray());
            if (final.ExitCode != 0)
            {
                return final;
            }

            DockerCli.Run(common.Concat(new[] { "--target", "build", "-t", image + "-build", Context }).ToArray()).EnsureSuccess();
            return final;
        }
    }
}
