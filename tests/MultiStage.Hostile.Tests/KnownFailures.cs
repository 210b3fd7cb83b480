namespace MultiStage.Hostile.Tests;

/// <summary>
/// Cells that do not yet do what the table says, each with the fix it waits for. The harness expects them to fail
/// and checks that they still do: when a fix lands, it fails and says to remove the entry.
/// </summary>
internal static class KnownFailures
{
    private const string NoOwner = "no fix under way yet";

    private static readonly (string Channel, string[] Values, string Reason)[] Entries =
    {
        // None: every cell does what the table says. A new entry is (channel, values, the fix it waits for).
    };

    public static string? Reason(Channel channel, HostileValue value) =>
        Entries.Where(e => e.Channel == channel.Name && e.Values.Contains(value.Name)).Select(e => e.Reason).FirstOrDefault();

    public static IEnumerable<(string Channel, string Value)> Cells => Entries.SelectMany(e => e.Values.Select(v => (e.Channel, v)));
}
