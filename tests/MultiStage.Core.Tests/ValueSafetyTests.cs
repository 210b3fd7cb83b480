using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>Values the builders would misread or reject: each refused with its code at generation, or written exactly.</summary>
[TestClass]
public sealed class ValueSafetyTests
{
    private static readonly ProjectFacts App = new() { ProjectPath = "/repo/App/App.csproj", AssemblyName = "App", TargetFileName = "App.dll" };

    private static string? Refused(ContainerSettings settings)
    {
        var log = new TestLog();
        var resolved = ResolvedSettings.Resolve(settings, App, log);
        Assert.AreEqual(resolved is null, log.Errors.Count > 0, "a refusal is logged, an acceptance is not");
        return resolved is null ? log.ErrorCodes : null;
    }

    [TestMethod]
    public void EveryDockerIgnoreItemIsOnePatternOrRefused()
    {
        foreach (var item in new[] { "a\nb", "a\r\nb", "a\tb", "a\0b", "#x", "# comment", "[", "a[b", "!" })
        {
            Assert.AreEqual(ErrorCodes.InvalidDockerIgnorePattern, Refused(new ContainerSettings { DockerIgnorePatterns = new[] { item } }), item);
        }

        // What is accepted reads back as exactly these patterns, in order: the builders trim each line as we do.
        var accepted = new[] { "  docs/  ", "\\#notes", "**/*.log", "!keep.log", "dir with spaces/" };
        var resolved = ResolvedSettings.Resolve(new ContainerSettings { DockerIgnorePatterns = accepted }, App, new TestLog())!;
        var read = DockerIgnore.Parse(DockerIgnoreTemplate.Render(resolved.DockerIgnorePatterns)).Patterns;
        CollectionAssert.AreEqual(new[] { "docs", "\\#notes", "**/*.log", "!keep.log", "dir with spaces" }, read.Skip(read.Count - accepted.Length).ToList());
    }

    [TestMethod]
    public void ALabelNameWithAnEqualsSignIsRefused()
    {
        foreach (var name in new[] { "--chown=0", "a=b", "=" })
        {
            Assert.AreEqual(ErrorCodes.InvalidLabel, Refused(new ContainerSettings { Labels = new[] { new KeyValuePair<string, string>(name, "v") } }), name);
        }

        Assert.IsNull(Refused(new ContainerSettings { Labels = new[] { new KeyValuePair<string, string>("a\"b\\$c#é-", "v") } }), "quotes, $, \\ and letters are quoted exactly");
    }

    [TestMethod]
    public void AWorkingDirectoryTheEngineCannotCreateIsRefused()
    {
        string Path(int length, int component)
        {
            var path = "";
            while (path.Length < length)
            {
                path += "/" + new string('a', Math.Min(component, length - path.Length - 1));
            }

            return path;
        }

        Assert.IsNull(Refused(new ContainerSettings { ContainerWorkingDirectory = Path(ResolvedSettings.MaxWorkingDirectoryBytes, ResolvedSettings.MaxWorkingDirectoryNameBytes) }), "the limits themselves are fine");
        foreach (var workdir in new[] { Path(10240, 100), Path(ResolvedSettings.MaxWorkingDirectoryBytes + 1, 100), Path(300, ResolvedSettings.MaxWorkingDirectoryNameBytes + 1), "/" + new string('é', 128) })
        {
            Assert.AreEqual(ErrorCodes.InvalidWorkingDirectory, Refused(new ContainerSettings { ContainerWorkingDirectory = workdir }), workdir.Length.ToString());
        }
    }

    [TestMethod]
    public void AFolderNameWithAControlCharacterIsNamedWithItsCharacter()
    {
        using var repo = new RepoFixture();
        var folder = "src/Tab\tbed";
        repo.Write(folder + "/Tool.cs", "");
        var project = repo.Project();
        project = project with { Closure = new[] { project.Closure[0] with { SourceFiles = new[] { repo.P(folder + "/Tool.cs") } } } };
        var log = new TestLog();
        Assert.IsNull(Generator.Generate(project, repo.Settings(), repo.ExternalRoots, checkOnly: false, log));
        Assert.AreEqual(ErrorCodes.UnrepresentableValue, log.ErrorCodes);
        // The linked file outside the project folder is copied alone: its path is the one named.
        StringAssert.Contains(log.Errors[0].Message, "\"src/Tab\\tbed/Tool.cs\"", "the path, with the character escaped");
        StringAssert.Contains(log.Errors[0].Message, "a tab (U+0009)");
        Assert.IsFalse(log.Errors[0].Message.Contains("comment"), log.Errors[0].Message);
    }

    [TestMethod]
    public void AProjectNamedLikeASwitchIsPassedAsAPathAndAQuoteIsRefused()
    {
        using var repo = new RepoFixture();
        repo.Write("-lead.csproj", "<Project />");
        var lead = Generator.Generate(OneProject(repo, "-lead.csproj"), repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog())!;
        StringAssert.Contains(lead.DockerfileText, "dotnet restore ./-lead.csproj ");
        StringAssert.Contains(lead.DockerfileText, "dotnet publish ./-lead.csproj ");
        var commands = lead.DockerfileText.Split('\n').Where(l => l.Contains("dotnet ")).ToList();
        Assert.IsTrue(commands.Count >= 2 && commands.All(l => !l.Contains(" -lead.csproj")), "never a command-line argument starting with '-'");

        repo.Write("a\"b.csproj", "<Project />");
        var log = new TestLog();
        Assert.IsNull(Generator.Generate(OneProject(repo, "a\"b.csproj"), repo.Settings() with { OverwriteDockerfile = "true" }, repo.ExternalRoots, checkOnly: false, log));
        Assert.AreEqual(ErrorCodes.UnbuildableProjectPath, log.ErrorCodes);
    }

    private static ProjectFacts OneProject(RepoFixture repo, string file) => repo.Project(web: false) with
    {
        ProjectPath = repo.P(file),
        Closure = new[] { new ProjectNode { ProjectPath = repo.P(file), SourceFiles = new[] { repo.P("Program.cs") } } },
    };
}
