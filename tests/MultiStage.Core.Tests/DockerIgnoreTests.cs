using MultiStage.DockerIgnoreMatching;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class DockerIgnoreTests
{
    [TestMethod]
    public void Parse_NormalizesLinesLikeTheCli()
    {
        const string content =
            "\uFEFF# comment\r\n" +
            "\n" +
            "   \t \n" +
            "  spaced.txt  \r\n" +
            "  # not a comment\n" +
            "/abs\n" +
            "dir/\n" +
            "./a/../b//c/.\n" +
            "!  /keep\n" +
            "! important.log \n" +
            "//double\n" +
            "/\n" +
            "../outside\n";

        DockerIgnore ignore = DockerIgnore.Parse(content);

        CollectionAssert.AreEqual(
            new[] { "spaced.txt", "# not a comment", "abs", "dir", "b/c", "!keep", "!important.log", "double", "/", "../outside" },
            ignore.Patterns.ToArray());
        Assert.IsTrue(ignore.HasExceptions);
    }

    [TestMethod]
    public void Parse_WithoutExceptions_ReportsNone()
    {
        Assert.IsFalse(DockerIgnore.Parse("bin\nobj\n").HasExceptions);
        Assert.IsEmpty(DockerIgnore.Empty.Patterns);
        Assert.IsFalse(DockerIgnore.Empty.IsExcluded("anything"));
    }

    [TestMethod]
    [DataRow("!", 1)]
    [DataRow("ok\n!   ", 2)]
    [DataRow("ok\n\n[abc", 3)]
    [DataRow("[]", 1)]
    [DataRow("[a-]", 1)]
    [DataRow("[-a]", 1)]
    [DataRow("trailing\\", 1)]
    [DataRow("[z-a]", 1)]
    public void Parse_RejectsWhatTheCliRejects(string content, int line)
    {
        var error = Assert.ThrowsExactly<DockerIgnoreException>(() => DockerIgnore.Parse(content));
        Assert.AreEqual(line, error.LineNumber);
        StringAssert.Contains(error.Message, $"line {line}");
    }

    // Expected results follow moby's patternmatcher: patterns become anchored expressions over the whole
    // relative path, '*' and '?' stop at '/', "**" spans directories, a match on a parent directory excludes
    // the children, and the last matching pattern decides.
    [TestMethod]
    [DataRow("**/*.log", "a.log", true)]
    [DataRow("**/*.log", "x/y/a.log", true)]
    [DataRow("**/*.log", "a.log.txt", false)]
    [DataRow("**/*.log", "logs", false)]
    [DataRow("*.log\n!important.log", "debug.log", true)]
    [DataRow("*.log\n!important.log", "important.log", false)]
    [DataRow("*.log\n!important.log", "sub/debug.log", false)]
    [DataRow("**/*.log\n!important.log", "sub/important.log", true)]
    [DataRow("**/*.log\n!**/important.log", "sub/important.log", false)]
    [DataRow("docs/**", "docs", false)]
    [DataRow("docs/**", "docs/a", true)]
    [DataRow("docs/**", "docs/a/b.md", true)]
    [DataRow("docs/**", "docsx", false)]
    [DataRow("/abs", "abs", true)]
    [DataRow("/abs", "abs/inner/file", true)]
    [DataRow("/abs", "x/abs", false)]
    [DataRow("dir/", "dir", true)]
    [DataRow("dir/", "dir/file", true)]
    [DataRow("dir/", "other/dir", false)]
    [DataRow("*/temp*", "a/temp", true)]
    [DataRow("*/temp*", "a/tempfile", true)]
    [DataRow("*/temp*", "a/temp/below", true)]
    [DataRow("*/temp*", "a/b/temp", false)]
    [DataRow("*/temp*", "temp", false)]
    [DataRow("a?c", "abc", true)]
    [DataRow("a?c", "ac", false)]
    [DataRow("a?c", "a/c", false)]
    [DataRow("a?c", "aéc", true)]
    [DataRow("a?c", "a😀c", true)]
    [DataRow("[a-c]x", "ax", true)]
    [DataRow("[a-c]x", "cx", true)]
    [DataRow("[a-c]x", "dx", false)]
    [DataRow("[a-c]x", "Ax", false)]
    [DataRow("[!a]x", "!x", true)]
    [DataRow("[^a]x", "bx", true)]
    [DataRow("[^a]x", "ax", false)]
    [DataRow("a[^b]c", "a/c", true)]
    [DataRow("[\\]]", "]", true)]
    [DataRow("\\*.txt", "*.txt", true)]
    [DataRow("\\*.txt", "a.txt", false)]
    [DataRow("file\\?", "file?", true)]
    [DataRow("file\\?", "files", false)]
    [DataRow("\\[x\\]", "[x]", true)]
    [DataRow("\\[x\\]", "x", false)]
    [DataRow("a.b", "axb", false)]
    [DataRow("a+b(c)|{d}$", "a+b(c)|{d}$", true)]
    [DataRow("*.a+b", "x.a+b", true)]
    [DataRow("my file.txt", "my file.txt", true)]
    [DataRow("dir with space/*", "dir with space/a b", true)]
    [DataRow("trailing.txt   ", "trailing.txt", true)]
    [DataRow("café/*.md", "café/lisez moi.md", true)]
    [DataRow("café/*.md", "cafe/readme.md", false)]
    [DataRow("日本語", "日本語/ファイル", true)]
    [DataRow("**", "anything/at/all", true)]
    [DataRow("**/node_modules", "node_modules", true)]
    [DataRow("**/node_modules", "a/b/node_modules/x.js", true)]
    [DataRow("**/node_modules", "a/xnode_modules", false)]
    [DataRow("**foo", "barfoo", true)]
    [DataRow("**foo", "x/foo", true)]
    [DataRow("foo**", "foobar", true)]
    [DataRow("foo**", "foo/x", true)]
    [DataRow("a/**/b", "a/b", true)]
    [DataRow("a/**/b", "a/x/y/b", true)]
    [DataRow("a/**/b", "a/xb", false)]
    [DataRow("**/*.cs\n!**/keep/**", "src/keep/a.cs", false)]
    [DataRow("*.md\n!README.md\nREADME.md", "README.md", true)]
    [DataRow("dir\n!dir/keep.txt", "dir", true)]
    [DataRow("dir\n!dir/keep.txt", "dir/keep.txt", false)]
    [DataRow("dir\n!dir/keep.txt", "dir/other", true)]
    [DataRow("**\n!util/docker/web\nutil/docker/web/foo", "util/docker", true)]
    [DataRow("**\n!util/docker/web\nutil/docker/web/foo", "util/docker/web/bar", false)]
    [DataRow("**\n!util/docker/web\nutil/docker/web/foo", "util/docker/web/foo", true)]
    [DataRow("a/b\n!a", "a/b", true)]
    [DataRow("a/b\n!a", "a/c", false)]
    [DataRow("./", "x", false)]
    [DataRow("#foo", "#foo", false)]
    [DataRow(" #foo", "#foo", true)]
    [DataRow("x^y", "x^y", true)]
    [DataRow("*^y", "y", true)]
    [DataRow("/!bang", "bang", false)]
    public void IsExcluded_FollowsTheCliRules(string patterns, string path, bool expected)
    {
        DockerIgnore ignore = DockerIgnore.Parse(patterns);

        Assert.AreEqual(expected, ignore.IsExcluded(path), $"patterns [{string.Join(", ", ignore.Patterns)}] path '{path}'");
    }

    [TestMethod]
    public void IsExcluded_LeadingSlashAndDotSegmentsOfThePathAreIgnored()
    {
        DockerIgnore ignore = DockerIgnore.Parse("a/b");

        Assert.IsTrue(ignore.IsExcluded("./a/b"));
        Assert.IsTrue(ignore.IsExcluded("a//b/"));
        Assert.IsTrue(ignore.IsExcluded("a\\b"));
        Assert.IsFalse(ignore.IsExcluded("."));
    }

    [TestMethod]
    public void KeepBuildFiles_ReincludesExcludedDockerfileAndIgnoreFile()
    {
        DockerIgnore ignore = DockerIgnore.Parse("*\n!src");

        DockerIgnore kept = ignore.KeepBuildFiles("Dockerfile");

        Assert.IsTrue(ignore.IsExcluded("Dockerfile"));
        Assert.IsFalse(kept.IsExcluded("Dockerfile"));
        Assert.IsFalse(kept.IsExcluded(".dockerignore"));
        Assert.IsTrue(kept.IsExcluded("README.md"));
        CollectionAssert.AreEqual(new[] { "*", "!src", "!.dockerignore", "!Dockerfile" }, kept.Patterns.ToArray());
    }

    [TestMethod]
    public void KeepBuildFiles_WithoutIgnoreFile_KeepsOnlyTheDockerfile()
    {
        DockerIgnore kept = DockerIgnore.Parse("Dockerfile\n.dockerignore").KeepBuildFiles("Dockerfile", keepIgnoreFile: false);

        Assert.IsFalse(kept.IsExcluded("Dockerfile"));
        Assert.IsTrue(kept.IsExcluded(".dockerignore"));
    }

    [TestMethod]
    public void KeepBuildFiles_NestedDockerfileInExcludedDirectory()
    {
        DockerIgnore kept = DockerIgnore.Parse("build").KeepBuildFiles("./build\\app.Dockerfile");

        Assert.IsFalse(kept.IsExcluded("build/app.Dockerfile"));
        Assert.IsTrue(kept.IsExcluded("build/other"));
        Assert.IsFalse(kept.IsExcluded(".dockerignore"));
    }

    [TestMethod]
    public void KeepBuildFiles_NothingExcluded_ReturnsSameInstance()
    {
        DockerIgnore ignore = DockerIgnore.Parse("bin\nobj");

        Assert.AreSame(ignore, ignore.KeepBuildFiles("Dockerfile"));
        Assert.AreSame(ignore, ignore.KeepBuildFiles(null));
    }

    [TestMethod]
    public void Load_MissingFile_IsEmpty_PresentFile_IsParsed()
    {
        string dir = Directory.CreateTempSubdirectory("msignore-").FullName;
        try
        {
            Assert.AreSame(DockerIgnore.Empty, DockerIgnore.Load(dir));
            File.WriteAllText(Path.Combine(dir, ".dockerignore"), "bin/\n");
            CollectionAssert.AreEqual(new[] { "bin" }, DockerIgnore.Load(dir).Patterns.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Pruning is only an optimization; it must never skip a directory in which an exception could match.
    [TestMethod]
    [DataRow("dir/keep.txt", "dir", true)]
    [DataRow("dir/keep.txt", "other", false)]
    [DataRow("dir/keep.txt", "dir/sub", false)]
    [DataRow("dir/sub/keep.txt", "dir", true)]
    [DataRow("*/keep", "x", true)]
    [DataRow("*/keep", "x/y", false)]
    [DataRow("**/keep", "x/y", true)]
    [DataRow("keep**", "keepers", true)]
    [DataRow("dir/**", "dir/sub", true)]
    [DataRow("dir/**", "other", false)]
    [DataRow("di?/x", "dir", true)]
    [DataRow("di?/x", "dx", false)]
    [DataRow("[a-c]/x", "b", true)]
    [DataRow("[a-c]/x", "d", false)]
    [DataRow("a[/]b/c", "zzz", true)]
    [DataRow("x\\*/y", "q", true)]
    [DataRow("dir", "dir", false)]
    public void CouldMatchBelow_IsConservative(string pattern, string directory, bool expected)
    {
        var compiled = DockerIgnorePattern.Compile(pattern, exception: true);

        Assert.AreEqual(expected, compiled.CouldMatchBelow(directory));
    }

    [TestMethod]
    [DataRow("", ".")]
    [DataRow("/", "/")]
    [DataRow("a//b", "a/b")]
    [DataRow("a/./b/", "a/b")]
    [DataRow("a/../../b", "../b")]
    [DataRow("/../a", "/a")]
    [DataRow("./..", "..")]
    [DataRow("a/b/..", "a")]
    [DataRow("!a/..", ".")]
    public void GoPathClean_MatchesGo(string input, string expected)
    {
        Assert.AreEqual(expected, GoPath.Clean(input));
    }

    [TestMethod]
    public void PatternList_TakesEachEntryAsAPatternEvenWithAHash()
    {
        // BuildKit sends COPY sources as a list: "#notes" names a file, where a .dockerignore line would be a comment.
        var list = DockerIgnore.FromPatterns(["#notes", "/src/app", " ", "!src/app/bin"]);

        CollectionAssert.AreEqual(new[] { "#notes", "src/app", "!src/app/bin" }, list.Patterns.ToList());
        Assert.IsTrue(list.IsExcluded("#notes"));
        Assert.IsTrue(list.IsExcluded("src/app/Program.cs"));
        Assert.IsFalse(list.IsExcluded("src/app/bin/x.dll"));
        Assert.AreEqual(0, DockerIgnore.Parse("#notes\n").PatternCount);
    }

    [TestMethod]
    public void MayMatchBelow_LooksIntoFoldersOnAPatternsWayOnly()
    {
        var list = DockerIgnore.FromPatterns(["src/*/App.csproj"]);
        var matches = new bool[list.PatternCount];

        Assert.IsFalse(list.Evaluate("src", null, matches));
        Assert.IsTrue(list.MayMatchBelow("src", matches));
        Assert.IsFalse(list.Evaluate("tests", null, matches));
        Assert.IsFalse(list.MayMatchBelow("tests", matches));
    }
}
