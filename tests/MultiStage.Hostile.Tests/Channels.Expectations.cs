using System.Globalization;
using MultiStage.Diagnostics;

namespace MultiStage.Hostile.Tests;

/// <summary>What a hostile value must do on a channel, and where a generation is read back to see that it did.</summary>
internal static partial class Channels
{
    /// <summary>Line breaks and control characters: no Dockerfile value can carry them.</summary>
    private const Hazard Unrepresentable = Hazard.LineBreak | Hazard.Control;

    /// <summary>Exact unless the value has one of <paramref name="refused"/>; empty: <paramref name="empty"/> (default: not set).</summary>
    private static Func<HostileValue, Expected> CarriesAllBut(Hazard refused, string? code, Expected? empty = null) =>
        v => v.Hazards.HasFlag(Hazard.Empty) ? empty ?? Expected.Unset : (v.Hazards & refused) != 0 ? Expected.Refused(code) : Expected.Exact;

    /// <summary>
    /// Refused unless <paramref name="accepts"/> (then exact); empty: not set (a property) or refused (an item's name).
    /// A value that ends in a line break may be refused as unrepresentable instead: either code is a refusal.
    /// </summary>
    private static Func<HostileValue, Expected> RefusesAllBut(Func<HostileValue, bool> accepts, string code, bool emptyIsUnset = true) =>
        v => v.Hazards.HasFlag(Hazard.Empty) && emptyIsUnset ? Expected.Unset
            : accepts(v) ? Expected.Exact
            : Expected.Refused((v.Hazards & Unrepresentable) != 0 ? null : code);

    /// <summary>Tags are ';'-separated (docs/properties.md), each trimmed as MSBuild list items are; none of the hostile values is a tag.</summary>
    private static Expected TagRule(HostileValue v) =>
        v.Name is "semicolon" or "trailing-lf" or "leading-space" ? Expected.Exact : RefusesAllBut(_ => false, ErrorCodes.InvalidImageTag)(v);

    private static bool CarriesTags(Generated g, string v) => g.Result.Tags.SequenceEqual(v.Split(';').Select(t => t.Trim()));

    /// <summary>The exec-form command of <c>HEALTHCHECK [--options] CMD [...]</c>; null when it is not one.</summary>
    private static IReadOnlyList<string>? HealthCommand(ReadInstruction health)
    {
        var at = health.Arguments.IndexOf("CMD [", StringComparison.Ordinal);
        return at < 0 ? null : new ReadInstruction("CMD", health.Arguments[(at + 4)..]).Json();
    }

    public static ReadInstruction Final(Generated g, string keyword) => FinalAll(g, keyword).Single();

    private static IEnumerable<ReadInstruction> FinalAll(Generated g, string keyword) =>
        DockerfileReader.FinalStage(g.Instructions).Where(i => i.Keyword == keyword);

    private static IEnumerable<IReadOnlyList<string>> RunWords(Generated g) =>
        g.Instructions.Where(i => i.Keyword == "RUN").Select(i => DockerfileReader.ShellWords(i.Arguments));

    private static bool IsLineBreakOrControl(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
