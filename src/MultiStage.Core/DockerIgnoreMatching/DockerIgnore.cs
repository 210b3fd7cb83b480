using System.Globalization;
using MultiStage.Model;

namespace MultiStage.DockerIgnoreMatching;

/// <summary>
/// The patterns of a <c>.dockerignore</c> file, matched with the rules of the docker CLI
/// (moby patternmatcher): patterns are cleaned like Go's <c>filepath.Clean</c> with a leading <c>/</c>
/// removed; <c>*</c>, <c>?</c>, <c>[...]</c>, <c>\</c> escapes and <c>**</c> (any number of directories)
/// are supported; a pattern that matches a directory also matches everything below it; the last matching
/// pattern decides, so a later <c>!pattern</c> re-includes what earlier lines excluded.
/// </summary>
/// <remarks>
/// Deviations, all for patterns the reference turns into nonsensical regular expressions:
/// <c>*</c> and <c>?</c> inside a character class are literal, and an escaped letter or digit is that
/// letter or digit (the reference would read <c>\d</c> as a regular-expression digit class).
/// </remarks>
public sealed class DockerIgnore
{
    /// <summary>The name of the ignore file in the root of a build context.</summary>
    public const string FileName = WellKnownNames.DockerIgnore;

    private readonly DockerIgnorePattern[] _patterns;

    private DockerIgnore(IReadOnlyList<string> patterns, DockerIgnorePattern[] compiled)
    {
        Patterns = patterns;
        _patterns = compiled;
        HasExceptions = compiled.Any(p => p.IsException);
    }

    /// <summary>An ignore list that excludes nothing.</summary>
    public static DockerIgnore Empty { get; } = new DockerIgnore(Array.Empty<string>(), Array.Empty<DockerIgnorePattern>());

    /// <summary>The normalized patterns in file order; exceptions keep their leading <c>!</c>.</summary>
    public IReadOnlyList<string> Patterns { get; }

    /// <summary>True when at least one <c>!</c> exception pattern is present.</summary>
    public bool HasExceptions { get; }

    /// <summary>Parses the text of a .dockerignore file.</summary>
    /// <exception cref="DockerIgnoreException">A pattern is malformed (e.g. an unterminated <c>[</c> or a bare <c>!</c>).</exception>
    public static DockerIgnore Parse(string content)
    {
        if (content is null)
        {
            throw new ArgumentNullException(nameof(content));
        }

        var patterns = new List<string>();
        var compiled = new List<DockerIgnorePattern>();
        string[] lines = content.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (i == 0 && line.Length > 0 && line[0] == '\uFEFF')
            {
                line = line.Substring(1);
            }

            if (line.EndsWith("\r", StringComparison.Ordinal))
            {
                line = line.Substring(0, line.Length - 1);
            }

            // A comment only when '#' is the very first character: "  #x" is the pattern "#x".
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            string? pattern = NormalizeLine(line);
            if (pattern is null)
            {
                continue;
            }

            compiled.Add(CompileNormalized(pattern, i + 1));
            patterns.Add(pattern);
        }

        return new DockerIgnore(patterns, compiled.ToArray());
    }

    /// <summary>
    /// A pattern list given as such, not as a file: each entry is one pattern (a leading <c>#</c> is part of it), with
    /// the same normalization and matching as a .dockerignore line. BuildKit hands include and exclude lists this way.
    /// </summary>
    /// <exception cref="DockerIgnoreException">A pattern is malformed; its line number is its position, from 1.</exception>
    public static DockerIgnore FromPatterns(IEnumerable<string> patterns)
    {
        if (patterns is null)
        {
            throw new ArgumentNullException(nameof(patterns));
        }

        var normalized = new List<string>();
        var compiled = new List<DockerIgnorePattern>();
        int position = 0;
        foreach (string line in patterns)
        {
            position++;
            if (NormalizeLine(line) is { } pattern)
            {
                compiled.Add(CompileNormalized(pattern, position));
                normalized.Add(pattern);
            }
        }

        return new DockerIgnore(normalized, compiled.ToArray());
    }

    /// <summary>Reads <c>.dockerignore</c> from the root of <paramref name="contextDirectory"/>; <see cref="Empty"/> when there is none.</summary>
    /// <exception cref="DockerIgnoreException">A pattern is malformed.</exception>
    public static DockerIgnore Load(string contextDirectory)
    {
        string path = Path.Combine(contextDirectory, FileName);
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty;
    }

    /// <summary>
    /// Returns a copy that keeps the Dockerfile (and by default <c>.dockerignore</c>) in the context even when excluded,
    /// as the docker CLI does before it sends a context archive (docker/cli <c>TrimBuildFilesFromExcludes</c>:
    /// "the daemon will remove them from the final context but they must be available in the context when
    /// passed to the API"): for each of them that is excluded, an exception pattern naming it is appended.
    /// </summary>
    /// <remarks>
    /// Only the classic builder removes them again. BuildKit does not apply .dockerignore to an uploaded archive
    /// (the Engine API leaves exclusion to the client), so a kept file stays visible to <c>COPY .</c>; for BuildKit
    /// builds pass <paramref name="keepIgnoreFile"/> false, since BuildKit does not need the ignore file itself.
    /// </remarks>
    /// <param name="dockerfilePath">The Dockerfile relative to the context root (either slash); null when it lives outside the context.</param>
    /// <param name="keepIgnoreFile">Whether an excluded <c>.dockerignore</c> is kept too, as the CLI does.</param>
    public DockerIgnore KeepBuildFiles(string? dockerfilePath, bool keepIgnoreFile = true)
    {
        var extra = new List<string>();
        if (keepIgnoreFile && IsExcluded(FileName))
        {
            extra.Add("!" + FileName);
        }

        // net472 has no nullability annotation on IsNullOrWhiteSpace: the "!" below is what it checked.
        if (!string.IsNullOrWhiteSpace(dockerfilePath))
        {
            string dockerfile = GoPath.Clean(dockerfilePath!.Trim().Replace('\\', '/'));
            if (dockerfile != "." && IsExcluded(dockerfile))
            {
                extra.Add("!" + dockerfile);
            }
        }

        if (extra.Count == 0)
        {
            return this;
        }

        var patterns = Patterns.Concat(extra).ToArray();
        var compiled = _patterns.Concat(extra.Select(p => CompileNormalized(p, 0))).ToArray();
        return new DockerIgnore(patterns, compiled);
    }

    /// <summary>
    /// Whether <paramref name="relativePath"/> (slash-separated, relative to the context root) is left out of the
    /// context, with the same answer the context walk gives: each directory level is evaluated in turn and a
    /// pattern that matched a parent directory counts as matching the path.
    /// </summary>
    public bool IsExcluded(string relativePath)
    {
        if (relativePath is null)
        {
            throw new ArgumentNullException(nameof(relativePath));
        }

        string path = GoPath.Clean(relativePath.Replace('\\', '/'));
        if (path == "." || _patterns.Length == 0)
        {
            // The root itself is never excluded.
            return false;
        }

        bool[]? parent = null;
        bool[] current = new bool[_patterns.Length];
        bool excluded = false;
        int start = 0;
        while (true)
        {
            int slash = path.IndexOf('/', start);
            string prefix = slash < 0 ? path : path.Substring(0, slash);
            excluded = Evaluate(prefix, parent, current);
            if (slash < 0)
            {
                return excluded;
            }

            parent = current;
            current = new bool[_patterns.Length];
            start = slash + 1;
        }
    }

    public int PatternCount => _patterns.Length;

    /// <summary>
    /// Evaluates one path. <paramref name="parentMatches"/> holds, per pattern, whether it matched the parent
    /// directory (null for top-level entries); <paramref name="matches"/> receives the same for this path.
    /// Patterns that cannot change the outcome at their position are skipped and recorded as not matching,
    /// exactly as the reference walk does.
    /// </summary>
    public bool Evaluate(string path, bool[]? parentMatches, bool[] matches)
    {
        bool excluded = false;
        for (int i = 0; i < _patterns.Length; i++)
        {
            DockerIgnorePattern pattern = _patterns[i];
            bool match = parentMatches is not null && parentMatches[i];
            if (!match)
            {
                if (pattern.IsException != excluded)
                {
                    matches[i] = false;
                    continue;
                }

                match = pattern.Matches(path);
                if (!match && parentMatches is null)
                {
                    match = MatchesAnyParent(pattern, path);
                }
            }

            matches[i] = match;
            if (match)
            {
                excluded = !pattern.IsException;
            }
        }

        return excluded;
    }

    /// <summary>
    /// For an excluded directory: whether the walk must still look inside because an exception pattern that did not
    /// already match the directory could re-include something below it.
    /// </summary>
    public bool MayReincludeBelow(string directory, bool[] directoryMatches)
    {
        for (int i = 0; i < _patterns.Length; i++)
        {
            if (_patterns[i].IsException && !directoryMatches[i] && _patterns[i].CouldMatchBelow(directory))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For a directory no pattern selects (<see cref="Evaluate"/> false): whether a pattern that did not match it
    /// could still select something below it, so that a walk for the paths a list selects must look inside.
    /// </summary>
    public bool MayMatchBelow(string directory, bool[] directoryMatches)
    {
        for (int i = 0; i < _patterns.Length; i++)
        {
            if (!_patterns[i].IsException && !directoryMatches[i] && _patterns[i].CouldMatchBelow(directory))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesAnyParent(DockerIgnorePattern pattern, string path)
    {
        int slash = path.IndexOf('/');
        while (slash >= 0)
        {
            if (pattern.Matches(path.Substring(0, slash)))
            {
                return true;
            }

            slash = path.IndexOf('/', slash + 1);
        }

        return false;
    }

    /// <summary>The CLI's line normalization: trim, split off '!', clean, drop one leading '/'. Null for blank lines.</summary>
    private static string? NormalizeLine(string line)
    {
        string pattern = line.Trim();
        if (pattern.Length == 0)
        {
            return null;
        }

        bool invert = pattern[0] == '!';
        if (invert)
        {
            pattern = pattern.Substring(1).Trim();
        }

        if (pattern.Length > 0)
        {
            pattern = GoPath.Clean(pattern);
            if (pattern.Length > 1 && pattern[0] == '/')
            {
                pattern = pattern.Substring(1);
            }
        }

        return invert ? "!" + pattern : pattern;
    }

    private static DockerIgnorePattern CompileNormalized(string normalized, int lineNumber)
    {
        // The matcher cleans the pattern once more, '!' included, before splitting the '!' off.
        string text = GoPath.Clean(normalized.Trim());
        bool exception = false;
        if (text[0] == '!')
        {
            if (text.Length == 1)
            {
                throw new DockerIgnoreException("illegal exclusion pattern: \"!\"", lineNumber, normalized);
            }

            exception = true;
            text = text.Substring(1);
        }

        try
        {
            return DockerIgnorePattern.Compile(text, exception);
        }
        catch (FormatException e)
        {
            throw new DockerIgnoreException(
                string.Format(CultureInfo.InvariantCulture, "invalid pattern \"{0}\": {1}", normalized, e.Message),
                lineNumber,
                normalized);
        }
    }
}
