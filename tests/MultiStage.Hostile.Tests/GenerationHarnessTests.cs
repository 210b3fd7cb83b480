using System.Reflection;
using Microsoft.Build.Framework;
using MultiStage.Tasks;

namespace MultiStage.Hostile.Tests;

/// <summary>The fast layer: every hostile value through every channel that reaches generation.</summary>
[TestClass]
public sealed class GenerationHarnessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void EveryCellIsRefusedWithACodeOrArrivesExactly()
    {
        var problems = new List<string>();
        var tally = new Dictionary<Verdict, int>();
        var cells = 0;
        foreach (var channel in Channels.Generation)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var value in HostileValues.All)
            {
                cells++;
                var expected = channel.Expect(value);
                var observed = GenerationHarness.Run(channel, value);
                tally[observed.Verdict] = tally.GetValueOrDefault(observed.Verdict) + 1;
                var known = KnownFailures.Reason(channel, value);
                var cell = $"{channel} × {value}: expected {expected}, got {observed.Verdict} ({observed.Detail})";
                if (!observed.Meets(expected) && known is null)
                {
                    problems.Add(cell);
                }
                else if (observed.Meets(expected) && known is not null)
                {
                    problems.Add($"{channel} × {value} now does what the table says ({observed.Verdict}): remove it from KnownFailures ({known}).");
                }
            }

            Console.WriteLine($"{channel}: {watch.ElapsedMilliseconds} ms");
        }

        var summary = Summary(cells, tally);
        TestContext.WriteLine(summary);
        Console.WriteLine(summary);
        HarnessReport.Write(summary);
        Assert.AreEqual(0, problems.Count, $"{problems.Count} cells do not do what the table says:\n" + string.Join("\n", problems));
    }

    [TestMethod]
    public void EveryKnownFailureNamesACellOfTheTable()
    {
        foreach (var (channel, value) in KnownFailures.Cells)
        {
            Assert.IsTrue(Channels.Generation.Any(c => c.Name == channel), $"KnownFailures names '{channel}', which is not a generation channel.");
            Assert.IsTrue(HostileValues.All.Any(v => v.Name == value), $"KnownFailures names the value '{value}', which is not in HostileValues.");
        }
    }

    /// <summary>A parameter added to a task must be added to the table with its expected outcomes, or it skips the check.</summary>
    [TestMethod]
    [DataRow(typeof(GenerateDockerfile))]
    [DataRow(typeof(BuildImage))]
    public void EveryTaskParameterIsAChannel(Type task)
    {
        var parameters = task.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.CanWrite && p.GetCustomAttribute<OutputAttribute>() is null)
            .Select(p => p.Name).ToList();
        Assert.IsTrue(parameters.Count > 10, "the parameters were found");
        var listed = Channels.All.Where(c => c.Task == task.Name).Select(c => c.TaskParameter).ToHashSet();
        var missing = parameters.Where(p => !listed.Contains(p)).ToList();
        Assert.AreEqual(0, missing.Count,
            $"{task.Name} has parameters the hostile-value table does not list: {string.Join(", ", missing)}. Add each to Channels.All " +
            "with the property or item it comes from and the outcome every kind of hostile value must have there.");
        var stale = listed.Where(p => !parameters.Contains(p)).ToList();
        Assert.AreEqual(0, stale.Count, $"Channels.All lists {task.Name} parameters that do not exist: {string.Join(", ", stale)}.");
    }

    [TestMethod]
    public void EveryChannelThatIsNotTriedSaysWhy()
    {
        foreach (var channel in Channels.All.Where(c => c.Kind != ChannelKind.Generation || c.Set is null))
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(channel.Why), $"{channel} is not tried with hostile values and does not say why.");
        }
    }

    private static string Summary(int cells, Dictionary<Verdict, int> tally)
    {
        int N(params Verdict[] verdicts) => verdicts.Sum(v => tally.GetValueOrDefault(v));
        return $"hostile values: {cells} cells over {Channels.Generation.Count()} channels, {N(Verdict.Corrupted)} corrupted, {N(Verdict.Injected)} injected, " +
            $"{N(Verdict.Crashed)} crashes, {N(Verdict.Uncoded)} uncoded, {N(Verdict.Changed)} changed, {N(Verdict.Refused)} refused, {N(Verdict.Exact)} exact, " +
            $"{N(Verdict.Unset)} unset, {N(Verdict.Contained)} contained; {KnownFailures.Cells.Count()} known failures";
    }
}
