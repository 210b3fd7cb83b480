using System.Globalization;
using System.Reflection;

namespace MultiStage.Sdk.Targets.Tests.Infrastructure;

/// <summary>The repository, the task assembly this run tests, and one temporary folder for everything the tests write.</summary>
[TestClass]
public static class TestEnvironment
{
    private static string? _directory;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The MultiStage.Tasks.dll that the project reference built (recorded by the .csproj at compile time).</summary>
    public static string TasksAssembly { get; } = typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "MultiStageTasksAssembly").Value ?? "";

    public static string Directory => _directory ??= CreateDirectory();

    [AssemblyInitialize]
    public static void Initialize(TestContext context) =>
        Assert.IsTrue(File.Exists(TasksAssembly), "the task assembly was not built: " + TasksAssembly);

    [AssemblyCleanup]
    public static void Cleanup()
    {
        if (_directory is not null && Environment.GetEnvironmentVariable("MULTISTAGE_KEEP_TEST_FILES") != "1")
        {
            try
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string CreateDirectory()
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine(Path.GetTempPath(), "multistage-targets-tests", stamp + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "MultiStage.Sdk.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("The repository root (MultiStage.Sdk.sln) was not found above " + AppContext.BaseDirectory);
    }
}
