using MultiStage.Engine.Client;

namespace MultiStage.Hostile.Tests;

/// <summary>
/// BuildImage's engine-side channels that are checked on this machine before anything is sent: the engine address
/// (MultiStageDockerHost) is refused with an MSTAGE code or accepted, never an exception of another kind (MSB4018).
/// </summary>
[TestClass]
public sealed class EngineParameterTests
{
    [TestMethod]
    public void EveryHostileEngineAddressIsRefusedWithACodeOrAccepted()
    {
        Assert.IsTrue(Channels.All.Any(c => c.Name == "BuildImage.EngineEndpoint"));
        var problems = new List<string>();
        var refused = 0;
        foreach (var value in HostileValues.All.Where(v => v.Text.Length > 0))
        {
            foreach (var address in new[] { value.Text, "tcp://" + value.Text, "unix://" + value.Text, "tcp://127.0.0.1:" + value.Text })
            {
                try
                {
                    EngineClient.Create(address).Dispose();
                }
                catch (EngineException e) when (e.Code.StartsWith("MSTAGE", StringComparison.Ordinal))
                {
                    refused++;
                }
                catch (Exception e)
                {
                    problems.Add($"{value} as '{(address.Length > 60 ? address[..60] + "…" : address)}': {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        HarnessReport.Write($"hostile engine addresses: {refused} refused with a code, {problems.Count} escaped");
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }
}
