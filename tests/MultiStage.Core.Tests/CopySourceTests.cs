using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Dockerfiles;
using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>
/// A COPY source must name its own path and nothing else, as read by each matcher a builder applies to it: Go's
/// filepath.Match (both builders' copy step and BuildKit's cache key) and the regular expression BuildKit's context
/// transfer makes of a pattern. Names are generated from every ASCII punctuation character, space, ü and an emoji.
/// </summary>
[TestClass]
public sealed class CopySourceTests
{
    private static readonly string[] Alphabet =
        "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~ ab1".Select(c => c.ToString()).Concat(new[] { "ü", "😀" }).ToArray();

    [TestMethod]
    public void EveryGeneratedPathMatchesItselfAndNoNeighbourInEveryMatcher()
    {
        var random = new Random(20261205);
        var checkedPaths = 0;
        for (var n = 0; n < 3000; n++)
        {
            var path = RandomPath(random);
            string pattern;
            try
            {
                pattern = CopySource.Literal(path).ToPattern();
            }
            catch (DockerfileValueException e)
            {
                Assert.AreEqual(ErrorCodes.UnmatchablePath, e.Code);
                var firstSpecial = path.IndexOfAny("*?[\\^".ToCharArray());
                var end = path.IndexOf('/', firstSpecial);
                var upToIt = end < 0 ? path : path[..end];
                Assert.IsFalse(upToIt.Any(char.IsLetterOrDigit), $"'{path}' was refused though '{upToIt}' has a letter or digit to anchor on.");
                continue;
            }

            var name = path.TrimEnd('/');
            foreach (var candidate in Neighbours(name).Prepend(name))
            {
                var expected = candidate == name;
                Assert.AreEqual(expected, GoGlob.Resolves(pattern, candidate), $"Go glob: '{pattern}' (for '{path}') vs '{candidate}'");
                Assert.AreEqual(expected, ContextFilter.Matches(pattern, candidate), $"context filter: '{pattern}' (for '{path}') vs '{candidate}'");
            }

            checkedPaths++;
        }

        Assert.IsTrue(checkedPaths > 2500, $"only {checkedPaths} paths were representable");
    }

    [TestMethod]
    public void PathsWithoutSpecialCharactersAreWrittenAsTheyAre()
    {
        foreach (var path in new[] { "src/My App/", "NuGet.config", ".", "a{b,c}/$x'\"ü😀!-", "/app/layers/app/" })
        {
            Assert.AreEqual(path, CopySource.Literal(path).ToPattern());
        }
    }

    [TestMethod]
    public void AFolderBesideItsGlobTwinIsWrittenSoOnlyItMatches()
    {
        var text = DockerfileWriter.Write(new Dockerfile(new Instruction[]
        {
            new Copy(new[] { "NuGet.config", "a[1].csproj" }, "./"),
            new Copy(new[] { "a[b]/" }, "a[b]/"),
        }));

        // The word lexer and JSON double each backslash: the builders read "[a]\[1].csproj" and "[a]\[b]".
        Assert.AreEqual(
            "COPY [\"NuGet.config\", \"[a]\\\\\\\\[1].csproj\", \"./\"]\n" +
            "COPY [\"[a]\\\\\\\\[b]\", \"a[b]/\"]\n",
            text);
    }

    [TestMethod]
    [DataRow("*")]
    [DataRow("[")]
    [DataRow("-*/x")]
    [DataRow("!?")]
    public void APathWithNothingToAnchorOnIsRefusedWithItsCode(string path)
    {
        var e = Assert.ThrowsExactly<DockerfileValueException>(() => DockerfileWriter.Write(new Dockerfile(new Instruction[] { new Copy(new[] { path }, "./") })));
        Assert.AreEqual(ErrorCodes.UnmatchablePath, e.Code);
    }

    [TestMethod]
    public void TheGeneratorCopiesAFileInAGlobNamedSharedFolderLiterallyAndRefusesOneWithNoAnchor()
    {
        using var repo = new RepoFixture();
        repo.Write("sh[a]red/Linked.cs", "");
        repo.Write("*/Linked.cs", "");

        var literal = Generator.Generate(WithLinkedFile(repo, "sh[a]red/Linked.cs"), repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog());
        StringAssert.Contains(literal!.DockerfileText, "COPY [\"[s]h\\\\\\\\[a]red/Linked.cs\", \"sh[a]red/\"]\n");

        var log = new TestLog();
        File.Delete(repo.P("Dockerfile"));
        Assert.IsNull(Generator.Generate(WithLinkedFile(repo, "*/Linked.cs"), repo.Settings(), repo.ExternalRoots, checkOnly: false, log));
        Assert.AreEqual(ErrorCodes.UnmatchablePath, log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, "'*/Linked.cs'");
        Assert.IsFalse(File.Exists(repo.P("Dockerfile")), "a refused path leaves no Dockerfile");
    }

    /// <summary>The fixture's app with its linked source file in another folder of the repository.</summary>
    private static ProjectFacts WithLinkedFile(RepoFixture repo, string linked)
    {
        var project = repo.Project();
        return project with
        {
            Closure = project.Closure.Select((node, i) => i == 0 ? node with { SourceFiles = new[] { repo.P("src/App/Program.cs"), repo.P(linked) } } : node).ToList(),
        };
    }

    private static string RandomPath(Random random)
    {
        var segments = Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)])))
            .Where(s => s is not "." and not "..");
        var path = string.Join("/", segments);
        return path.Length == 0 ? "x" : random.Next(3) == 0 ? path + "/" : path;
    }

    /// <summary>Strings a careless pattern would also match: one code point dropped, replaced or added, a backslash added.</summary>
    private static IEnumerable<string> Neighbours(string name)
    {
        var runes = GoGlob.CodePoints(name);
        for (var i = 0; i < runes.Count; i++)
        {
            yield return GoGlob.Text(runes.Take(i).Concat(runes.Skip(i + 1)));
            yield return GoGlob.Text(runes.Take(i).Append('x').Concat(runes.Skip(i + 1)));
            yield return GoGlob.Text(runes.Take(i).Append('\\').Concat(runes.Skip(i)));
            if (runes[i] == '/')
            {
                yield return GoGlob.Text(runes.Take(i).Append('a').Concat(runes.Skip(i)));
            }
        }

        yield return name + "x";
        yield return name + "/x";
    }

    /// <summary>
    /// Go's filepath.Match on Linux, written from its documentation, and the step before it: a source with no
    /// unescaped <c>*</c>, <c>?</c> or <c>[</c> is no pattern, and names the file spelled exactly so (a trailing slash aside).
    /// </summary>
    private static class GoGlob
    {
        public static bool Resolves(string pattern, string name)
        {
            var p = CodePoints(pattern);
            var isPattern = false;
            for (var i = 0; i < p.Count && !isPattern; i++)
            {
                if (p[i] == '\\')
                {
                    i++;
                }
                else
                {
                    isPattern = p[i] is '*' or '?' or '[';
                }
            }

            return isPattern ? Match(p, 0, CodePoints(name), 0) : pattern.TrimEnd('/') == name;
        }

        public static List<int> CodePoints(string s)
        {
            var list = new List<int>();
            for (var i = 0; i < s.Length; i++)
            {
                list.Add(char.ConvertToUtf32(s, i));
                if (char.IsHighSurrogate(s[i]))
                {
                    i++;
                }
            }

            return list;
        }

        public static string Text(IEnumerable<int> codePoints) => string.Concat(codePoints.Select(char.ConvertFromUtf32));

        private static bool Match(List<int> p, int pi, List<int> s, int si)
        {
            while (pi < p.Count)
            {
                switch (p[pi])
                {
                    case '*':
                        for (var k = si; ; k++)
                        {
                            if (Match(p, pi + 1, s, k))
                            {
                                return true;
                            }

                            if (k >= s.Count || s[k] == '/')
                            {
                                return false;
                            }
                        }

                    case '?':
                        if (si >= s.Count || s[si] == '/')
                        {
                            return false;
                        }

                        pi++;
                        si++;
                        break;
                    case '[':
                        if (si >= s.Count || !MatchClass(p, ref pi, s[si]))
                        {
                            return false;
                        }

                        si++;
                        break;
                    default:
                        if (p[pi] == '\\')
                        {
                            pi++;
                            Assert.IsTrue(pi < p.Count, "a pattern may not end in a lone backslash");
                        }

                        if (si >= s.Count || s[si] != p[pi])
                        {
                            return false;
                        }

                        pi++;
                        si++;
                        break;
                }
            }

            return si == s.Count;
        }

        /// <summary>Reads a class at p[pi] ('['), leaves pi after its ']', and tells whether c is in it.</summary>
        private static bool MatchClass(List<int> p, ref int pi, int c)
        {
            pi++;
            var negated = pi < p.Count && p[pi] == '^';
            if (negated)
            {
                pi++;
            }

            var matched = false;
            var count = 0;
            while (true)
            {
                Assert.IsTrue(pi < p.Count, "unterminated class");
                if (p[pi] == ']' && count > 0)
                {
                    pi++;
                    return matched != negated;
                }

                var low = Escaped(p, ref pi);
                var high = low;
                if (pi < p.Count && p[pi] == '-')
                {
                    pi++;
                    high = Escaped(p, ref pi);
                }

                matched |= low <= c && c <= high;
                count++;
            }
        }

        private static int Escaped(List<int> p, ref int pi)
        {
            Assert.IsFalse(p[pi] is '-' or ']', "bad pattern: '-' or ']' unescaped in a class");
            if (p[pi] == '\\')
            {
                pi++;
            }

            return p[pi++];
        }
    }

    /// <summary>
    /// BuildKit's context transfer (moby/patternmatcher) as documented by its behaviour: <c>*</c> and <c>?</c> become
    /// "not a slash", <c>\x</c> escapes x, <c>[</c> and <c>]</c> pass to the regular expression as they are, and only
    /// <c>.+()|{}$</c> are quoted, so a <c>^</c> in a pattern is an anchor. Code points above U+FFFF are mapped to
    /// private-use characters first, since RE2 reads code points and .NET reads UTF-16 units. (Core's
    /// DockerIgnorePattern is not used here: it reads a class by UTF-16 unit, so <c>[😀]</c> matches no emoji there.)
    /// </summary>
    private static class ContextFilter
    {
        public static bool Matches(string pattern, string name)
        {
            // Patterns are cleaned first (filepath.Clean): no trailing slash.
            pattern = pattern.TrimEnd('/');
            var p = GoGlob.CodePoints(pattern);
            var regex = new StringBuilder("^");
            var isRegex = false;
            for (var i = 0; i < p.Count; i++)
            {
                var c = p[i];
                if (c == '*' || c == '?')
                {
                    regex.Append(c == '*' ? "[^/]*" : "[^/]");
                    isRegex = true;
                }
                else if (c < 128 && ".+()|{}$".Contains((char)c))
                {
                    regex.Append('\\').Append((char)c);
                }
                else if (c == '\\' && i + 1 < p.Count)
                {
                    regex.Append('\\').Append(Narrow(p[++i]));
                    isRegex = true;
                }
                else
                {
                    regex.Append(Narrow(c));
                    isRegex |= c is '[' or ']';
                }
            }

            var narrowName = string.Concat(GoGlob.CodePoints(name).Select(Narrow));
            return isRegex ? Regex.IsMatch(narrowName, regex.Append('$').ToString()) : pattern == name;
        }

        private static string Narrow(int codePoint) => codePoint > 0xFFFF ? ((char)(0xE000 + (codePoint & 0xFFF))).ToString() : ((char)codePoint).ToString();
    }
}
