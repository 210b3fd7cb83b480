using System.Text;
using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace MultiStage.Generation;

/// <summary>
/// A unified diff (as <c>diff -u</c> and <c>git diff</c> print it) from the file on disk to what generation would write,
/// cut after <see cref="MaxLines"/> lines so a CI log stays readable. The line diff itself is DiffPlex's.
/// </summary>
public static class UnifiedDiff
{
    public const int MaxLines = 60;

    private const int ContextLines = 3;

    /// <summary>The diff of <paramref name="before"/> (null: no file) and <paramref name="after"/> labelled with <paramref name="path"/>; "" when they are equal.</summary>
    public static string Render(string path, string? before, string after)
    {
        if (before == after)
        {
            return "";
        }

        // The line break ending the last line ends no further, empty line.
        var lines = new InlineDiffBuilder(new Differ()).BuildDiffModel(WithoutFinalBreak(before ?? ""), WithoutFinalBreak(after), ignoreWhitespace: false).Lines
            .Where(l => l.Type != ChangeType.Imaginary)
            .ToList();
        var output = new List<string>
        {
            "--- " + (before is null ? "/dev/null" : path) + " (on disk)",
            "+++ " + path + " (generated now)",
        };

        // Old and new line numbers of each diff line, for the hunk headers.
        var oldNumbers = new int[lines.Count];
        var newNumbers = new int[lines.Count];
        for (int i = 0, oldLine = 1, newLine = 1; i < lines.Count; i++)
        {
            oldNumbers[i] = oldLine;
            newNumbers[i] = newLine;
            if (lines[i].Type != ChangeType.Inserted)
            {
                oldLine++;
            }

            if (lines[i].Type != ChangeType.Deleted)
            {
                newLine++;
            }
        }

        var index = 0;
        while (index < lines.Count)
        {
            var change = lines.FindIndex(index, l => l.Type != ChangeType.Unchanged);
            if (change < 0)
            {
                break;
            }

            var start = Math.Max(index, change - ContextLines);
            var end = change;
            // A hunk runs on while the next change is within twice the context of the last.
            for (var j = change + 1; j < lines.Count && j <= end + 2 * ContextLines; j++)
            {
                if (lines[j].Type != ChangeType.Unchanged)
                {
                    end = j;
                }
            }

            var stop = Math.Min(lines.Count, end + ContextLines + 1);
            var hunk = lines.Skip(start).Take(stop - start).ToList();
            output.Add("@@ -" + Range(oldNumbers[start], hunk.Count(l => l.Type != ChangeType.Inserted))
                + " +" + Range(newNumbers[start], hunk.Count(l => l.Type != ChangeType.Deleted)) + " @@");
            output.AddRange(hunk.Select(l => (l.Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " }) + l.Text));
            index = stop;
        }

        if (output.Count == 2)
        {
            output.Add("(the files differ only in the line break at the end)");
        }

        var text = new StringBuilder();
        foreach (var line in output.Take(MaxLines))
        {
            text.Append(line).Append('\n');
        }

        if (output.Count > MaxLines)
        {
            text.Append("… ").Append(output.Count - MaxLines).Append(" more lines of diff\n");
        }

        return text.ToString();
    }

    private static string WithoutFinalBreak(string text) => text.EndsWith("\n", StringComparison.Ordinal) ? text.Substring(0, text.Length - 1) : text;

    /// <summary>A hunk's range as diff -u writes it: no count for one line, and the line before for none.</summary>
    private static string Range(int start, int count) => count switch
    {
        0 => (start - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ",0",
        1 => start.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => start.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," + count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
