using System.Text;
using MultiStage.Diagnostics;

namespace MultiStage.Dockerfiles;

/// <summary>
/// A path a COPY instruction copies, matched literally. Both builders read every COPY source as a Go glob
/// (filepath.Match; BuildKit's context transfer also turns it into a regular expression), so a folder named
/// <c>a[b]</c> would copy its neighbour <c>ab</c> instead. <see cref="ToPattern"/> writes the one pattern that matches
/// only this path everywhere; docs/copy-paths.md records what each builder does with each character.
/// </summary>
public sealed class CopySource
{
    // Special to Go's globs, plus ^, which the regular expression made of a pattern reads as an anchor. A ] outside
    // a class is literal to every matcher.
    private const string Special = "*?[\\^";

    private CopySource(string path) => Path = path;

    /// <summary>The path as written by the generator, relative to the context or absolute in a stage.</summary>
    public string Path { get; }

    /// <summary>A path copied as it is spelled, whatever characters it holds.</summary>
    public static CopySource Literal(string path) => new(path);

    /// <summary>
    /// The source as the builders should read it. A path without special characters stays as it is. Otherwise each
    /// special character is escaped with <c>\</c>, which every matcher honours, but an all-escaped path is no pattern
    /// at all, and both builders then look for a file with the backslashes in its name. So one ordinary character in
    /// (or before) the first such segment becomes a class <c>[c]</c> matching only itself, which makes the segment
    /// and all after it a pattern, and the trailing slash goes, since the classic builder matches patterns against
    /// paths without one.
    /// </summary>
    /// <exception cref="DockerfileValueException">No character of the path can carry the class: e.g. a folder named <c>*</c> at the context root.</exception>
    public string ToPattern()
    {
        if (Path.IndexOfAny(Special.ToCharArray()) < 0)
        {
            return Path;
        }

        var path = Path.TrimEnd('/');
        var first = path.IndexOfAny(Special.ToCharArray());
        var segmentStart = first == 0 ? 0 : path.LastIndexOf('/', first - 1) + 1;
        var segmentEnd = path.IndexOf('/', first);
        var anchor = ClassCandidate(path, segmentStart, segmentEnd < 0 ? path.Length : segmentEnd);
        if (anchor < 0)
        {
            anchor = ClassCandidate(path, 0, segmentStart);
        }

        if (anchor < 0)
        {
            throw new DockerfileValueException(
                ErrorCodes.UnmatchablePath,
                $"The path '{Path}' cannot be copied literally: no character in it or in a folder above it can anchor an escaped pattern.");
        }

        var pattern = new StringBuilder(path.Length + 8);
        for (var i = 0; i < path.Length; i++)
        {
            if (i == anchor)
            {
                var length = char.IsHighSurrogate(path[i]) ? 2 : 1;
                pattern.Append('[').Append(path, i, length).Append(']');
                i += length - 1;
            }
            else
            {
                if (Special.IndexOf(path[i]) >= 0)
                {
                    pattern.Append('\\');
                }

                pattern.Append(path[i]);
            }
        }

        return pattern.ToString();
    }

    public override string ToString() => Path;

    /// <summary>
    /// The first character in [start, end) that a one-character class can hold in every glob dialect: not special,
    /// not a separator, not <c>]</c>, <c>-</c> or <c>!</c> (class end, ranges, negation); a whole surrogate pair or nothing.
    /// </summary>
    private static int ClassCandidate(string path, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            var c = path[i];
            if (Special.IndexOf(c) >= 0 || c is '/' or ']' or '-' or '!' || char.IsLowSurrogate(c))
            {
                continue;
            }

            if (!char.IsHighSurrogate(c) || (i + 1 < end && char.IsLowSurrogate(path[i + 1])))
            {
                return i;
            }
        }

        return -1;
    }
}
