using System.Text.RegularExpressions;
using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>
/// Rules a reviewer of the generated Dockerfile relies on, checked over every shape of it: builders, vendored or feed
/// SDK, one project or several, musl images, cache mounts off.
/// </summary>
[TestClass]
public sealed class ReadableDockerfileTests
{
    private static IEnumerable<(string Name, string Text)> Variants()
    {
        using var repo = new RepoFixture();
        var single = repo.Project(web: false) with { Closure = new[] { repo.Project().Closure[0] with { References = Array.Empty<string>() } } };
        var cases = new (string, ProjectFacts, ContainerSettings)[]
        {
            ("BuildKit", repo.Project(), repo.Settings()),
            ("Classic", repo.Project(), repo.Settings() with { Builder = "Classic" }),
            ("Feed", repo.Project(), repo.Settings() with { SdkSource = "Feed" }),
            ("single project", single, repo.Settings()),
            ("single project, classic", single, repo.Settings() with { Builder = "Classic" }),
            ("musl", repo.Project(), repo.Settings() with { ContainerFamily = "alpine" }),
            ("no cache mounts", repo.Project(), repo.Settings() with { CacheMounts = "false" }),
            ("publish arguments", repo.Project(), repo.Settings() with { PublishArguments = new[] { "-p:Deterministic=true", "--verbosity", "minimal" } }),
        };
        foreach (var (name, project, settings) in cases)
        {
            var result = Generator.Generate(project, settings, repo.ExternalRoots, false, new TestLog());
            Assert.IsNotNull(result, name);
            yield return (name, result.DockerfileText);
        }
    }

    /// <summary>The instructions of a Dockerfile, each with its continuation lines joined back, and the comment block just above it.</summary>
    private static List<(string Instruction, string Comment)> Instructions(string text)
    {
        var result = new List<(string, string)>();
        var comment = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                comment.Add(lines[i]);
                continue;
            }

            if (lines[i].Length == 0)
            {
                continue;
            }

            var instruction = lines[i];
            while (instruction.EndsWith(" \\", StringComparison.Ordinal))
            {
                instruction = instruction[..^2] + "\n" + lines[++i];
            }

            result.Add((instruction, string.Join("\n", comment)));
            comment.Clear();
        }

        return result;
    }

    [TestMethod]
    public void NoLineIsLongerThan160CharactersAndEachDotnetOptionHasItsOwnLine()
    {
        foreach (var (name, text) in Variants())
        {
            foreach (var line in text.Split('\n'))
            {
                Assert.IsTrue(line.Length <= 160, $"{name}: {line.Length} characters: {line}");
            }

            foreach (var (run, _) in Instructions(text).Where(i => i.Instruction.StartsWith("RUN ", StringComparison.Ordinal)))
            {
                var lines = run.Split('\n');
                var dotnet = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^(RUN |\s+(&& )?)dotnet "));
                Assert.IsTrue(dotnet >= 0, $"{name}: every RUN runs dotnet: {run}");
                foreach (var option in lines.Skip(dotnet + 1).TakeWhile(l => l.StartsWith("        ", StringComparison.Ordinal)))
                {
                    // One option, with its value when it takes one: "-c Release", "--verbosity minimal".
                    StringAssert.Matches(option.Trim(), new Regex(@"^-\S+( [^-\s]\S*)?$"), $"{name}: {option}");
                }
            }
        }
    }

    [TestMethod]
    public void EveryRunDoesOneJobNamedByTheCommentAboveIt()
    {
        foreach (var (name, text) in Variants())
        {
            var instructions = Instructions(text);
            for (var i = 0; i < instructions.Count; i++)
            {
                var run = instructions[i].Instruction;
                if (!run.StartsWith("RUN ", StringComparison.Ordinal))
                {
                    continue;
                }

                // Nothing that runs whatever happens or hides a failure: no ';', '||' or discarded errors.
                foreach (var hidden in new[] { ";", "||", "2>/dev/null" })
                {
                    Assert.IsFalse(run.Contains(hidden, StringComparison.Ordinal), $"{name}: '{hidden}' in {run}");
                }

                // The comment of the RUN, or of the COPY group right above it, names the dotnet command it runs.
                var verb = Regex.Match(run, @"dotnet (\w+)").Groups[1].Value;
                var j = i;
                while (instructions[j].Comment.Length == 0 && j > 0 && instructions[j - 1].Instruction.StartsWith("COPY ", StringComparison.Ordinal))
                {
                    j--;
                }

                StringAssert.Contains(instructions[j].Comment.ToLowerInvariant(), verb, $"{name}: the comment above '{run}'");
            }
        }
    }

    [TestMethod]
    public void NothingRandomTimeDependentOrTiedToAHomeFolder()
    {
        foreach (var (name, text) in Variants())
        {
            foreach (var word in new[] { "random", "uuid", "$(date", "$RANDOM", "/root/" })
            {
                Assert.IsFalse(text.Contains(word, StringComparison.Ordinal), $"{name}: '{word}' in\n{text}");
            }
        }
    }

    [TestMethod]
    public void CommentsSpeakOnlyOfWhatThisFileHas()
    {
        foreach (var (name, text) in Variants())
        {
            var libraries = text.Contains("COPY [\"src/Lib/\", ", StringComparison.Ordinal);
            Assert.AreEqual(libraries, text.Contains("library layers", StringComparison.Ordinal), $"{name}:\n{text}");
            Assert.AreEqual(text.Contains("--mount=type=cache", StringComparison.Ordinal), text.Contains("cache mount", StringComparison.Ordinal), $"{name}:\n{text}");
            Assert.AreEqual(text.Contains("COPY [\".multistage/packages/", StringComparison.Ordinal), text.Contains("MultiStage.Sdk's package", StringComparison.Ordinal), $"{name}:\n{text}");
        }
    }
}
