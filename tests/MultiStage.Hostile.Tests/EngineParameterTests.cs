using MultiStage.Engine.Archive;
using MultiStage.Engine.Client;
using MultiStage.Engine.Context;

namespace MultiStage.Hostile.Tests;

/// <summary>
/// BuildImage's engine-side channels that are checked on this machine before anything is sent: the engine address
/// (MultiStageDockerHost) and the context size that warns (MultiStageContextSizeWarning) are refused with an MSTAGE
/// code or accepted, never an exception of another kind (MSB4018).
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
                    problems.Add($"{value} as '{Shorten(address)}': {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        HarnessReport.Write($"hostile engine addresses: {refused} refused with a code, {problems.Count} escaped");
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    [TestMethod]
    public void EveryHostileContextSizeIsRefusedWithACodeOrReadAsASize()
    {
        Assert.IsTrue(Channels.All.Any(c => c.Name == "BuildImage.ContextSizeWarning"));
        var problems = new List<string>();
        var refused = 0;
        // A number past decimal's range times a unit must not overflow the multiplication.
        foreach (var value in HostileValues.All.Append(new HostileValue("huge", "79228162514264337593543950335", Hazard.Long)))
        {
            foreach (var size in new[] { value.Text, "1" + value.Text, value.Text + "MB", "1" + value.Text + "GiB" })
            {
                try
                {
                    if (ContextSizeWarning.ParseThreshold(size) < 0)
                    {
                        problems.Add($"{value} as '{Shorten(size)}': a negative size");
                    }
                }
                catch (EngineException e) when (e.Code == EngineErrorCodes.InvalidRequest)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    problems.Add($"{value} as '{Shorten(size)}': {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        HarnessReport.Write($"hostile context sizes: {refused} refused with a code, {problems.Count} escaped");
        Assert.IsTrue(refused > 0, "the hostile values are not sizes");
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    [TestMethod]
    public void EveryHostileLocalRegistryIsRefusedWithItsCodeOrIsEmpty()
    {
        Assert.IsTrue(Channels.All.Any(c => c.Name == "BuildImage.LocalRegistry"));
        var problems = new List<string>();
        var refused = 0;
        foreach (var value in HostileValues.All)
        {
            try
            {
                // Only Docker, Podman (any case) and empty are engines; none of the hostile values is one of them.
                var podman = EngineDiscovery.IsPodman(value.Text);
                if (value.Text.Trim().Length > 0 || podman)
                {
                    problems.Add($"{value}: accepted as {(podman ? "Podman" : "Docker")}");
                }
            }
            catch (EngineException e) when (e.Code == EngineErrorCodes.LocalRegistryInvalid)
            {
                refused++;
                if (e.Message.Contains('\n') || e.Message.Length > 600)
                {
                    problems.Add($"{value}: the message carries the value unescaped or whole");
                }
            }
            catch (Exception e)
            {
                problems.Add($"{value}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }

        HarnessReport.Write($"hostile LocalRegistry values: {refused} refused with MSTAGE227, {problems.Count} escaped");
        Assert.IsTrue(refused > 0);
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    [TestMethod]
    public void EveryHostileImageFormatIsRefusedWithItsCodeOrIsEmpty()
    {
        Assert.IsTrue(Channels.All.Any(c => c.Name == "BuildImage.ImageFormat"));
        var problems = new List<string>();
        var refused = 0;
        foreach (var value in HostileValues.All)
        {
            try
            {
                // Only Docker, OCI (any case) and empty are formats; none of the hostile values but the blank ones.
                var format = ImageArchiveFormats.Read(value.Text);
                if (value.Text.Trim().Length > 0)
                {
                    problems.Add($"{value}: accepted as {format}");
                }
            }
            catch (EngineException e) when (e.Code == EngineErrorCodes.InvalidImageFormat)
            {
                refused++;
                if (e.Message.Contains('\n') || e.Message.Contains('\r') || e.Message.Length > 600)
                {
                    problems.Add($"{value}: the message carries the value unescaped or whole");
                }
            }
            catch (Exception e)
            {
                problems.Add($"{value}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }

        HarnessReport.Write($"hostile ContainerImageFormat values: {refused} refused with MSTAGE241, {problems.Count} escaped");
        Assert.IsTrue(refused > 0);
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    /// <summary>A path is a path: any text names a file under the project's folder or elsewhere, or is MSTAGE243; nothing else escapes.</summary>
    [TestMethod]
    public void EveryHostileArchivePathIsAFullPathOrRefusedWithItsCode()
    {
        Assert.IsTrue(Channels.All.Any(c => c.Name == "BuildImage.ArchiveOutputPath"));
        var project = Path.Combine(Path.GetTempPath(), "hostile-archive-project");
        var problems = new List<string>();
        var refused = 0;
        foreach (var value in HostileValues.All.Where(v => v.Text.Trim().Length > 0))
        {
            try
            {
                var path = ImageArchivePath.Resolve(value.Text, project, "app");
                if (!Path.IsPathFullyQualified(path) || path.Contains('\0'))
                {
                    problems.Add($"{value}: resolved to '{path}'");
                }
            }
            catch (EngineException e) when (e.Code == EngineErrorCodes.ArchiveNotWritten)
            {
                refused++;
                if (e.Message.Contains('\n') || e.Message.Contains('\0') || e.Message.Length > 800)
                {
                    problems.Add($"{value}: the message carries the value unescaped or whole");
                }
            }
            catch (Exception e)
            {
                problems.Add($"{value}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }

        HarnessReport.Write($"hostile ContainerArchiveOutputPath values: {refused} refused with MSTAGE243, {problems.Count} escaped");
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }
}
