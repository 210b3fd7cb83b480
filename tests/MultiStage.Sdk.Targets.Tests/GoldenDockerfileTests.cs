using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>
/// The generated Dockerfile and .dockerignore of every test asset, for each builder, byte for byte against the files
/// checked in under Golden/ (see Golden/README.md): a change of the product's output shows in the diff of the change
/// that makes it. MULTISTAGE_UPDATE_GOLDEN=1 writes the files instead of comparing.
/// </summary>
[TestClass]
public sealed class GoldenDockerfileTests
{
    private static readonly string GoldenDirectory = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "MultiStage.Sdk.Targets.Tests", "Golden");

    private static bool Updating => Environment.GetEnvironmentVariable("MULTISTAGE_UPDATE_GOLDEN") == "1";

    [TestMethod]
    [DataRow("console")]
    [DataRow("webapi")]
    [DataRow("worker")]
    [DataRow("multiproject")]
    [DataRow("aot")]
    [DataRow("selfcontained")]
    [DataRow("icu")]
    [DataRow("inputs")]
    [DataRow("razor")]
    [DataRow("appfiles")]
    [DataRow("appfiles", "ContainerFamily=trixie-slim")]
    public void GeneratedFilesMatchTheGoldenFiles(string asset, string property = "")
    {
        var workspace = Workspace.Create(asset);
        var mismatches = new List<string>();
        // A variant with a property set has its own folder: appfiles-trixie-slim.
        var folder = property.Length == 0 ? asset : asset + "-" + property.Split('=')[1];
        foreach (var builder in new[] { "BuildKit", "Classic" })
        {
            // BuildKit is the default: its files come from a build that names no builder, as a user's does.
            var properties = (builder == "BuildKit" ? Array.Empty<string>() : new[] { "MultiStageBuilder=" + builder })
                .Concat(property.Length == 0 ? Array.Empty<string>() : new[] { property }).ToArray();
            InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", properties).EnsureSuccess();
            foreach (var generated in new[] { workspace.Dockerfile, workspace.DockerIgnore })
            {
                var golden = Path.Combine(GoldenDirectory, folder, builder, Path.GetFileName(generated));
                mismatches.AddRange(Compare(generated, golden));
            }
        }

        Assert.AreEqual(0, mismatches.Count, string.Join("\n\n", mismatches) +
            "\n\nIf the change is intended, refresh the files (see tests/MultiStage.Sdk.Targets.Tests/Golden/README.md):\n" +
            "  MULTISTAGE_UPDATE_GOLDEN=1 dotnet test tests/MultiStage.Sdk.Targets.Tests --filter Golden");
    }

    /// <summary>No difference, or a description of the first one; in update mode the golden file is rewritten instead.</summary>
    private static IEnumerable<string> Compare(string generatedPath, string goldenPath)
    {
        var generated = File.ReadAllBytes(generatedPath);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(goldenPath)!);
            if (!File.Exists(goldenPath) || !File.ReadAllBytes(goldenPath).AsSpan().SequenceEqual(generated))
            {
                File.WriteAllBytes(goldenPath, generated);
            }

            yield break;
        }

        if (!File.Exists(goldenPath))
        {
            yield return $"{goldenPath} does not exist.";
            yield break;
        }

        var golden = File.ReadAllBytes(goldenPath);
        if (golden.AsSpan().SequenceEqual(generated))
        {
            yield break;
        }

        var expected = System.Text.Encoding.UTF8.GetString(golden).Split('\n');
        var actual = System.Text.Encoding.UTF8.GetString(generated).Split('\n');
        var line = Enumerable.Range(0, Math.Max(expected.Length, actual.Length))
            .Where(i => i >= expected.Length || i >= actual.Length || expected[i] != actual[i]).DefaultIfEmpty(0).First();
        yield return $"{goldenPath} differs from the generated file at line {line + 1}:\n" +
            $"  golden:    {(line < expected.Length ? expected[line] : "(end of file)")}\n" +
            $"  generated: {(line < actual.Length ? actual[line] : "(end of file)")}";
    }
}
