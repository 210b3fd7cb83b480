namespace MultiStage.Hostile.Tests;

/// <summary>
/// The harness's summary lines, also written to artifacts/test-results/hostile-values.txt, which eng/test.sh prints
/// (the test runner shows a passing test's output only at a higher verbosity).
/// </summary>
internal static class HarnessReport
{
    public static void Write(string line)
    {
        var root = RepositoryRoot();
        if (root is null)
        {
            return;
        }

        var directory = Path.Combine(root, "artifacts", "test-results");
        Directory.CreateDirectory(directory);
        File.AppendAllText(Path.Combine(directory, "hostile-values.txt"), line + "\n");
    }

    private static string? RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "MultiStage.Sdk.sln")))
            {
                return dir;
            }
        }

        return null;
    }
}
