using MultiStage.Dockerfiles;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class DockerfileWriterTests
{
    private static string Write(params Instruction[] instructions) => DockerfileWriter.Write(new Dockerfile(instructions));

    [TestMethod]
    public void EnvAndLabelValuesAreDoubleQuotedWithExpansionEscaped()
    {
        var text = Write(
            new Env(new[] { new KeyValuePair<string, string>("GREETING", "say \"hi\" to $USER \\ now") }),
            new Label(new[] { new KeyValuePair<string, string>("org.example/with space", "a=b c") }));
        Assert.AreEqual(
            "ENV GREETING=\"say \\\"hi\\\" to \\$USER \\\\ now\"\n" +
            "LABEL \"org.example/with space\"=\"a=b c\"\n",
            text);
    }

    [TestMethod]
    public void CopyUsesJsonFormAndEscapesWhatTheWordLexerWouldInterpret()
    {
        var text = Write(new Copy(new[] { "src/My App/é$x'\"q.cs" }, "src/My App/"));
        Assert.AreEqual("COPY [\"src/My App/é\\\\$x\\\\'\\\\\\\"q.cs\", \"src/My App/\"]\n", text);
    }

    [TestMethod]
    public void EntrypointIsExecFormJsonWithoutExpansionEscapes()
    {
        var text = Write(new Entrypoint(new[] { "dotnet", "/app/My \"App\".dll", "$HOME" }));
        Assert.AreEqual("ENTRYPOINT [\"dotnet\", \"/app/My \\\"App\\\".dll\", \"$HOME\"]\n", text);
    }

    [TestMethod]
    public void FromWithPlatformAndStage()
    {
        Assert.AreEqual(
            "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build\n",
            Write(new From("mcr.microsoft.com/dotnet/sdk:10.0", "build", "$BUILDPLATFORM")));
    }

    [TestMethod]
    [DataRow("line1\nRUN rm -rf /")]
    [DataRow("carriage\rreturn")]
    [DataRow("bell\u0007")]
    [DataRow("separator\u2028")]
    public void LineBreaksAndControlCharactersAreRefusedEverywhere(string value)
    {
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Env(new[] { new KeyValuePair<string, string>("A", value) })));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Label(new[] { new KeyValuePair<string, string>("a", value) })));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Copy(new[] { value }, "./")));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Entrypoint(new[] { value })));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Workdir(value)));
    }

    [TestMethod]
    public void ShellArgumentsCannotEscapeTheirQuotes()
    {
        var command = new ShellCommand().Raw("dotnet restore").Arg("My App/x'; touch /pwned; echo '.csproj").ToString();
        Assert.AreEqual("dotnet restore 'My App/x'\\''; touch /pwned; echo '\\''.csproj'", command);
        Assert.AreEqual("src/App/App.csproj", ShellCommand.Quote("src/App/App.csproj"));
        Assert.AreEqual("''", ShellCommand.Quote(""));
    }

    [TestMethod]
    public void AWrappedRunContinuesEachLineAndStaysOneShellCommand()
    {
        var command = new ShellCommand().Raw("cp -a").Arg("/x/.").Arg("/a/").Then()
            .Raw("dotnet publish").Arg("My App.csproj").Wrap().Raw("-c").Arg("Release").Wrap().Raw("--no-restore");
        var text = Write(new Run(command, new[] { "type=cache,target=/a" }));
        Assert.AreEqual(
            "RUN --mount=type=cache,target=/a \\\n" +
            "    cp -a /x/. /a/ \\\n" +
            "    && dotnet publish 'My App.csproj' \\\n" +
            "        -c Release \\\n" +
            "        --no-restore\n",
            text);
        // The shell sees the same command as the one-line form: a continuation only joins lines.
        Assert.AreEqual(command.ToString(), string.Join(" ", text.Split('\n').Skip(1).Select(l => l.Trim().TrimEnd('\\').TrimEnd()).Where(l => l.Length > 0)));
    }

    [TestMethod]
    public void AShortRunStaysOnOneLine() =>
        Assert.AreEqual("RUN dotnet restore App.csproj\n", Write(new Run(new ShellCommand().Raw("dotnet restore").Arg("App.csproj"))));

    [TestMethod]
    public void InvalidVariableNamesAreRefused()
    {
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Env(new[] { new KeyValuePair<string, string>("A B", "x") })));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Env(new[] { new KeyValuePair<string, string>("A=B", "x") })));
        Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Arg("1X")));
    }

    [TestMethod]
    public void OutputUsesLineFeedsOnly()
    {
        var text = Write(new Comment("a\nb"), new BlankLine(), new Workdir("/app"), new User("$APP_UID", true), new Expose(8080, "tcp"));
        Assert.AreEqual("# a\n# b\n\nWORKDIR \"/app\"\nUSER $APP_UID\nEXPOSE 8080/tcp\n", text);
        Assert.IsFalse(text.Contains('\r'));
    }

    [TestMethod]
    [DataRow('\t', "\\t", "a tab (U+0009)")]
    [DataRow('\r', "\\r", "a line break (U+000D)")]
    [DataRow('\u0007', "\\u0007", "a control character (U+0007)")]
    public void AnUnwritableCharacterIsNamedWithTheValueThatHasIt(char character, string escaped, string named)
    {
        // A folder name with a tab reaches the header comment: the error shows the path and which character it is.
        var error = Assert.ThrowsExactly<DockerfileValueException>(() => Write(new Comment($"Generated from src/my{character}app/App.csproj")));
        StringAssert.Contains(error.Message, $"src/my{escaped}app/App.csproj");
        StringAssert.Contains(error.Message, named);
        Assert.IsFalse(error.Message.Contains(character), "the message prints no control character");
    }
}
