using Docker.DotNet.Models;
using MultiStage.Core.Tests;
using MultiStage.Engine.Client;
using MultiStage.Engine.Tests;
using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>
/// The engine layer: the values generation carries exactly, built into a runtime stage by each builder and judged by
/// the image's configuration. All values of a kind travel in one build (one per working directory tried), and the
/// stage is built alone, FROM a small base image: the build stage adds nothing to what is judged here.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineHarnessTests
{
    /// <summary>Working directories tried, one build each: those that most stress the WORKDIR word and the image config.</summary>
    private static readonly string[] WorkingDirectories = { "double-quote", "dollar-brace", "trailing-backslash", "hash-mid", "emoji" };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task AcceptedValuesArriveExactlyInTheImage(BuilderKind builder)
    {
        var env = ExactValues("GenerateDockerfile.ContainerEnvironmentVariables%Value").Select((v, i) => Pair($"H_{i:D2}", v.Text)).ToList();
        env.AddRange(ExactValues("GenerateDockerfile.ContainerEnvironmentVariables").Select(v => Pair(v.Text, "name")));
        var labels = ExactValues("GenerateDockerfile.ContainerLabels%Value").Select((v, i) => Pair($"org.hostile.{i:D2}", v.Text)).ToList();
        labels.AddRange(ExactValues("GenerateDockerfile.ContainerLabels").Select(v => Pair(v.Text, "name")));
        var args = ExactValues("GenerateDockerfile.AppCommandArgs").Select(v => v.Text).ToList();
        var defaults = ExactValues("GenerateDockerfile.DefaultArgs").Select(v => v.Text).ToList();
        var users = ExactValues("GenerateDockerfile.ContainerUser").Select(v => v.Text).Append("1000:1000").ToList();
        // Build arguments are API parameters; the one a label takes shows whether they arrive exactly.
        var revisions = ExactValues("GenerateDockerfile.ContainerEnvironmentVariables%Value").Where(v => v.Text.Length > 0).Select(v => v.Text).ToList();

        using var client = await EngineTestEnvironment.ConnectAsync();
        var checks = 0;
        var problems = new List<string>();
        for (var build = 0; build < WorkingDirectories.Length; build++)
        {
            var workdir = "/app/" + HostileValues.Named(WorkingDirectories[build]).Text;
            var user = users[build % users.Count];
            var revision = revisions[build % revisions.Count];
            using var repo = new RepoFixture();
            var settings = repo.Settings() with
            {
                Builder = builder.ToString(),
                EnvironmentVariables = env,
                Labels = labels,
                LabelsFromBuildArgs = new[] { Pair("org.hostile.revision", "SOURCE_REVISION") },
                AppCommand = new[] { "/bin/app" },
                AppCommandArgs = args,
                DefaultArgs = defaults,
                ContainerUser = user,
                ContainerWorkingDirectory = workdir,
                Ports = new[] { new PortItem("5000", "tcp"), new PortItem("5001", "udp") },
            };
            var log = new TestLog();
            var generated = Generator.Generate(repo.Project(web: false), settings, repo.ExternalRoots, checkOnly: false, log);
            Assert.IsNotNull(generated, string.Join("; ", log.Errors));
            repo.Write("stage/Dockerfile", RuntimeStageAlone(generated.DockerfileText));

            var repository = EngineTestEnvironment.UniqueRepository("hostile");
            try
            {
                await client.BuildAsync(
                    new BuildRequest
                    {
                        Context = new DirectoryBuildContext(repo.P("stage")),
                        Repository = repository,
                        Tags = ["1"],
                        Builder = builder,
                        NetworkMode = "none",
                        NoCache = true,
                        BuildArgs = new Dictionary<string, string> { ["SOURCE_REVISION"] = revision },
                    },
                    new TestLog());

                using var docker = EngineTestEnvironment.Raw();
                var image = await docker.Images.InspectImageAsync($"{repository}:1");
                var baseImage = await docker.Images.InspectImageAsync(EngineTestEnvironment.BaseImage);
                var config = image.Config ?? new DockerOCIImageConfig();
                void Check(string what, bool ok)
                {
                    checks++;
                    if (!ok)
                    {
                        problems.Add($"{builder}, WORKDIR {WorkingDirectories[build]}: {what}");
                    }
                }

                foreach (var (name, value) in env)
                {
                    Check($"Env {Short(name)}={Short(value)}", config.Env?.Contains(name + "=" + value) == true);
                }

                foreach (var (name, value) in labels)
                {
                    Check($"Label {Short(name)}={Short(value)}", config.Labels?.TryGetValue(name, out var actual) == true && actual == value);
                }

                Check($"Label from the build argument {Short(revision)}", config.Labels?.TryGetValue("org.hostile.revision", out var rev) == true && rev == revision);
                Check($"User {Short(user)}: got {Short(config.User)}", config.User == user);
                Check($"WorkingDir {Short(workdir)}: got {Short(config.WorkingDir)}", config.WorkingDir == workdir);
                Check("Entrypoint", config.Entrypoint?.SequenceEqual(args.Prepend("/bin/app")) == true);
                Check("Cmd", config.Cmd?.SequenceEqual(defaults) == true);
                Check("ExposedPorts: " + string.Join(",", config.ExposedPorts?.Keys ?? []), config.ExposedPorts?.Keys.Order().SequenceEqual(new[] { "5000/tcp", "5001/udp" }) == true);
                // Only the WORKDIR may add a layer (its folder): no value made a file.
                Check("no extra layers", (image.RootFS?.Layers?.Count ?? 0) - (baseImage.RootFS?.Layers?.Count ?? 0) <= 1);
            }
            finally
            {
                await EngineTestEnvironment.RemoveAsync($"{repository}:1");
            }
        }

        var summary = $"hostile values in images ({builder}): {WorkingDirectories.Length} builds, {checks} checks, {problems.Count} not exact";
        TestContext.WriteLine(summary);
        HarnessReport.Write(summary);
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    /// <summary>The values the table says a channel carries exactly, less the known failures.</summary>
    private static IEnumerable<HostileValue> ExactValues(string channelName)
    {
        var channel = Channels.All.Single(c => c.Name == channelName);
        return HostileValues.All.Where(v => channel.Expect(v) == Expected.Exact && KnownFailures.Reason(channel, v) is null);
    }

    /// <summary>The generated runtime stage on the small base image, without the files it copies from the build stage.</summary>
    private static string RuntimeStageAlone(string dockerfile)
    {
        var lines = dockerfile.Split('\n');
        var from = Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        var stage = lines.Skip(from + 1).Where(l => !l.StartsWith("COPY --from=build ", StringComparison.Ordinal));
        return string.Join("\n", stage.Prepend($"FROM {EngineTestEnvironment.BaseImage} AS final"));
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);

    private static string Short(string? text) => text is null ? "(null)" : text.Length > 40 ? text[..40] + "…" : text.Replace("\n", "\\n");
}
