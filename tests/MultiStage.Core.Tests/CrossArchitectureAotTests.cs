using System.Diagnostics;
using MultiStage.Generation;

namespace MultiStage.Core.Tests;

/// <summary>
/// Native AOT for another architecture than the build machine's: the SDK runs natively (BUILDPLATFORM) and links for
/// TARGETARCH, which needs the target's C toolchain (Microsoft's cross-compilation guide). The Dockerfile does not
/// depend on the RID the project names: the architecture comes from docker build --platform.
/// </summary>
[TestClass]
public sealed class CrossArchitectureAotTests
{
    [TestMethod]
    [DataRow("linux-arm64")]
    [DataRow("")]
    public void TheAotBuildStageInstallsTheCrossToolchainOnlyWhenTheArchitecturesDiffer(string rid)
    {
        using var repo = new RepoFixture();
        var project = repo.Project(web: false) with { PublishAot = true, SelfContained = true, InvariantGlobalization = true, RuntimeIdentifier = rid };
        var text = Generator.Generate(project, repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog())!.DockerfileText;

        StringAssert.Contains(text, "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build\nARG TARGETARCH\nARG BUILDARCH\n");
        var script = RunScript(text, "RUN if [ \"$TARGETARCH\" != \"$BUILDARCH\" ]; then");
        StringAssert.Contains(script, "case \"$TARGETARCH\" in arm64) gnu=aarch64 archive=http://ports.ubuntu.com/ubuntu-ports");
        StringAssert.Contains(script, "apt-get install -y --no-install-recommends \"gcc-$gnu-linux-gnu\" \"binutils-$gnu-linux-gnu\" \"zlib1g-dev:$TARGETARCH\"");
        // The script must be valid POSIX shell: sh parses it without running it.
        var check = Process.Start(new ProcessStartInfo("sh", new[] { "-n", "-c", script }) { RedirectStandardError = true })!;
        var error = check.StandardError.ReadToEnd();
        check.WaitForExit();
        Assert.AreEqual(0, check.ExitCode, error + "\n" + script);
        // Restore and publish follow TARGETARCH, whatever RID the project names.
        StringAssert.Contains(text, "dotnet publish src/App/App.csproj \\\n        -c Release \\\n        -a $TARGETARCH");
    }

    [TestMethod]
    public void NoCrossStepForTheClassicBuilderMuslOrAnAppThatIsNotNative()
    {
        using var repo = new RepoFixture();
        var aot = repo.Project(web: false) with { PublishAot = true, SelfContained = true, InvariantGlobalization = true };
        var cases = new[]
        {
            (aot, repo.Settings() with { Builder = "Classic" }),
            (aot with { RuntimeIdentifier = "linux-musl-arm64" }, repo.Settings()),
            (repo.Project(web: false), repo.Settings()),
        };
        foreach (var (project, settings) in cases)
        {
            File.Delete(repo.P("Dockerfile"));
            var text = Generator.Generate(project, settings, repo.ExternalRoots, checkOnly: false, new TestLog())!.DockerfileText;
            Assert.IsFalse(text.Contains("BUILDARCH", StringComparison.Ordinal), text);
        }
    }

    /// <summary>The RUN instruction starting with <paramref name="start"/>, its continuation lines joined as the builder does.</summary>
    private static string RunScript(string dockerfile, string start)
    {
        var lines = dockerfile.Split('\n');
        var first = Array.FindIndex(lines, l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.AreNotEqual(-1, first, dockerfile);
        var script = new List<string>();
        for (var i = first; ; i++)
        {
            var line = lines[i];
            var continued = line.EndsWith('\\');
            script.Add(continued ? line[..^1] : line);
            if (!continued)
            {
                break;
            }
        }

        return string.Join("", script).Substring("RUN ".Length);
    }
}
