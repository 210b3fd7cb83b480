using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The command the README leads with, `dotnet publish -t:ContainerizeMultiStage -p:MultiStageBuildImage=true`, as a
/// user runs it in a terminal: under a pseudo-terminal, so .NET's terminal logger is the one that writes the screen.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class HeadlineCommandEndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    private static string[] Arguments(string repository, params string[] extra) =>
    [
        "publish", "-t:ContainerizeMultiStage", "-nologo",
        "-p:MultiStageBuildImage=true",
        $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
        "-p:MultiStageBuildNetwork=host",
        $"-p:ContainerRepository={repository}",
        .. extra,
    ];

    /// <summary>Runs dotnet under <c>script</c>: stdout is a terminal, as in an interactive shell. The screen's text, escape sequences removed.</summary>
    private static ProcessResult RunInTerminal(string dir, string[] arguments)
    {
        // -tl:on: MSBuild's own detection ("auto") also looks at the environment (CI variables, the terminal type),
        // which differs between machines; on a terminal the logger behaves the same either way.
        var command = "dotnet " + string.Join(' ', arguments.Append("-tl:on").Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var result = ProcessRunner.Run("script", ["-qefc", command, "/dev/null"], dir, new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "200" }, TimeSpan.FromMinutes(20));
        var screen = Regex.Replace(result.Output, @"\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r", "");
        return result with { Output = screen };
    }

    [TestMethod]
    public void TheHeadlineCommandCompilesOnlyInTheBuildStageAndShowsItsSummaryUnderEveryLogger()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/headline-{Run}";

        // Default terminal logger, default verbosity, a clean clone: the image, and its summary on the project's line.
        var terminal = RunInTerminal(dir, Arguments(repository));
        Assert.AreEqual(0, terminal.ExitCode, terminal.Output);
        // The terminal logger's result line of the project: "ConsoleApp net10.0 succeeded (9.1s) → Built image …".
        StringAssert.Matches(terminal.Output, new Regex($@"ConsoleApp net\d+\.\d+ succeeded \([0-9.]+s\) → Built image [0-9a-f]{{12}} tagged {Regex.Escape(repository)}:latest, [0-9.]+ [kMG]?B, in [0-9.]+s"), terminal.Output);
        // The host restored and generated, but compiled nothing: no assembly, no publish folder.
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "bin")), "the host must not build: " + string.Join(", ", Directory.EnumerateFileSystemEntries(dir)));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "obj", "project.assets.json")), "restore still runs on the host");
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:latest", "hi").EnsureSuccess().Output, "console-app: hello [hi]");

        // Console logger, minimal verbosity: the summary lines stay, named by project as Publish's own line is.
        var minimal = ProcessRunner.Run("dotnet", Arguments(repository, "-tl:off", "-v:m"), dir, null, TimeSpan.FromMinutes(20)).EnsureSuccess();
        StringAssert.Matches(minimal.Output, new Regex($@"ConsoleApp -> {Regex.Escape(Path.Combine(dir, "Dockerfile"))} is up to date"));
        StringAssert.Matches(minimal.Output, new Regex($@"ConsoleApp -> Built image [0-9a-f]{{12}} tagged {Regex.Escape(repository)}:latest"));
        Assert.IsFalse(Regex.IsMatch(minimal.Output, @"^#\d+ ", RegexOptions.Multiline), "no step lines at minimal verbosity:\n" + minimal.Output);

        // Normal verbosity: the steps as docker build shows them.
        File.AppendAllText(Path.Combine(dir, "Program.cs"), "// edited\n");
        var normal = ProcessRunner.Run("dotnet", Arguments(repository, "-tl:off", "-v:n"), dir, null, TimeSpan.FromMinutes(20)).EnsureSuccess();
        StringAssert.Matches(normal.Output, new Regex(@"#\d+ \[build \d+/\d+\] RUN "));
        StringAssert.Matches(normal.Output, new Regex(@"#\d+ DONE [0-9.]+s"));
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "bin")), "still nothing compiled on the host");
        // The restore the CLI runs first was skipped: nothing it reads changed since the first run (HostRestore.targets).
        StringAssert.Contains(normal.Output, "Host restore skipped");

        // Generation alone under the terminal logger: one line naming the Dockerfile.
        var generate = RunInTerminal(dir, ["publish", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}", $"-p:ContainerRepository={repository}"]);
        Assert.AreEqual(0, generate.ExitCode, generate.Output);
        // The terminal logger shows a path under the current folder relative to it.
        StringAssert.Matches(generate.Output, new Regex(@"ConsoleApp net\d+\.\d+ succeeded \([0-9.]+s\) → Dockerfile is up to date"), generate.Output);
        DockerCli.Run("rmi", "-f", $"{repository}:latest");
    }

    [TestMethod]
    public void TheHeadlineCommandBuildsAWebAppWithoutItsHostPublishSteps()
    {
        // The Web SDK hooks web.config and appsettings transforms after Publish, on a host publish folder this path never makes.
        var dir = TestEnvironment.CreateWorkspace("webapi");
        var repository = $"e2e/headline-web-{Run}";
        var result = ProcessRunner.Run("dotnet", Arguments(repository, "-tl:off", "-v:m"), dir, null, TimeSpan.FromMinutes(20));
        Assert.AreEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, "WebApi -> Built image ");
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "bin")), result.Output);
        DockerCli.Run("rmi", "-f", $"{repository}:latest");
    }

    [TestMethod]
    public void MultiStagePublishOnHostKeepsTheHostPublish()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/headline-host-{Run}";
        var result = ProcessRunner.Run("dotnet", Arguments(repository, "-tl:off", "-v:m", "-p:MultiStagePublishOnHost=true"), dir, null, TimeSpan.FromMinutes(20)).EnsureSuccess();
        Assert.IsTrue(Directory.EnumerateFiles(Path.Combine(dir, "bin"), "ConsoleApp.dll", SearchOption.AllDirectories).Any(f => f.Contains("publish", StringComparison.Ordinal)), result.Output);
        StringAssert.Contains(result.Output, "Built image ");
        DockerCli.Run("rmi", "-f", $"{repository}:latest");
    }
}
