namespace MultiStage.Hostile.Tests;

/// <summary>The harness's own checks: each kind of broken output it must see is shown to it.</summary>
[TestClass]
public sealed class JudgeTests
{
    private static readonly Channel EnvValue = Channels.All.Single(c => c.Name == "GenerateDockerfile.ContainerEnvironmentVariables%Value");

    /// <summary>The reference generation's Dockerfile with its ENV line replaced, judged as if generation had written it.</summary>
    private static Observation JudgeEnvLine(string envLine, string value)
    {
        var (baseline, reference) = GenerationHarness.ReferencesOf(EnvValue);
        var text = reference.Result!.DockerfileText;
        var line = text.Split('\n').Single(l => l.StartsWith("ENV HOSTILE=", StringComparison.Ordinal));
        var forged = reference with { Result = reference.Result with { DockerfileText = text.Replace(line, envLine) } };
        return GenerationHarness.Judge(EnvValue, value, forged, baseline, reference);
    }

    [TestMethod]
    public void AValueWrittenAsTheReaderReadsItIsExact() =>
        Assert.AreEqual(Verdict.Exact, JudgeEnvLine("ENV HOSTILE=\"it's \\\"q\\\" \\$HOME \\\\\"", "it's \"q\" $HOME \\").Verdict);

    [TestMethod]
    [DataRow("ENV HOSTILE=\"x\"\nRUN rm -rf /", "x", "Injected", DisplayName = "an instruction after a line break")]
    [DataRow("ENV HOSTILE=\"x\" \\\nRUN rm -rf /", "x", "Injected", DisplayName = "a continuation that swallows the next line")]
    [DataRow("ENV HOSTILE=$HOME", "$HOME", "Injected", DisplayName = "an unescaped dollar, which the builder expands")]
    [DataRow("ENV HOSTILE=\"a b\"", "a  b", "Changed", DisplayName = "a changed value")]
    [DataRow("ENV HOSTILE=\"x", "x", "Corrupted", DisplayName = "an unterminated quote")]
    [DataRow("ENV HOSTILE=\"x\" \\", "x", "Injected", DisplayName = "a trailing backslash joining the next instruction")]
    public void BrokenOutputIsSeen(string envLine, string value, string verdict) =>
        Assert.AreEqual(verdict, JudgeEnvLine(envLine, value).Verdict.ToString());

    [TestMethod]
    public void ABrokenExecArrayIsCorrupted()
    {
        var (baseline, reference) = GenerationHarness.ReferencesOf(EnvValue);
        var text = reference.Result!.DockerfileText;
        var forged = reference with { Result = reference.Result with { DockerfileText = text.Replace("ENTRYPOINT [\"", "ENTRYPOINT [\"a\"\", \"") } };
        Assert.AreEqual(Verdict.Corrupted, GenerationHarness.Judge(EnvValue, "plain", forged, baseline, reference).Verdict);
    }

    [TestMethod]
    public void AnEscapedExceptionOrAnotherToolsCodeIsNotARefusal()
    {
        var (baseline, reference) = GenerationHarness.ReferencesOf(EnvValue);
        Assert.AreEqual(Verdict.Crashed, GenerationHarness.Judge(EnvValue, "x", new Attempt(null, [], new ArgumentException("boom")), baseline, reference).Verdict);
        Assert.AreEqual(Verdict.Uncoded, GenerationHarness.Judge(EnvValue, "x", new Attempt(null, [("MSB4018", "boom")], null), baseline, reference).Verdict);
        Assert.AreEqual(Verdict.Uncoded, GenerationHarness.Judge(EnvValue, "x", new Attempt(null, [], null), baseline, reference).Verdict);
        Assert.AreEqual(Verdict.Refused, GenerationHarness.Judge(EnvValue, "x", new Attempt(null, [("MSTAGE108", "no")], null), baseline, reference).Verdict);
    }

    [TestMethod]
    public void TheReaderJoinsContinuedLinesAndSkipsComments()
    {
        var read = DockerfileReader.Read("# c\nFROM a AS b\n\nRUN x \\\n    && y\n  # inside\nENV A=\"1 2\" B=\\$x\n");
        CollectionAssert.AreEqual(new[] { "FROM", "RUN", "ENV" }, read.Select(i => i.Keyword).ToArray());
        Assert.AreEqual("x     && y", read[1].Arguments);
        CollectionAssert.AreEqual(new[] { "A=1 2", "B=$x" }, read[2].Words()!.ToArray());
        CollectionAssert.AreEqual(new[] { "echo", "it's", "a b", "$x" }, DockerfileReader.ShellWords("echo 'it'\\''s' \"a b\" '$x'").ToArray());
    }
}
