using System.Globalization;
using Humanizer;
using Lib.Core;

namespace Lib.Formatting;

public static class StepFormatter
{
    // Invariant culture: the words must not depend on the machine's or the image's locale.
    public static string Describe(IReadOnlyList<BuildStep> steps)
    {
        var names = steps.OrderBy(step => step.Order).Select(step => step.Key.Humanize(LetterCasing.Sentence));
        return $"{steps.Count.ToWords(CultureInfo.InvariantCulture)} steps: {string.Join(", ", names)}";
    }
}
