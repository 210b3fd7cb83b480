using System.Globalization;
using MultiStage.Tests.Shared;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>
/// One packed SDK for the whole run, under a version no cache has seen, and a local feed that serves it
/// the way a user's NuGet.config would.
/// </summary>
[TestClass]
public static class TestEnvironment
{
    private static string? _work;
    private static int _counter;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string WorkDirectory => _work ?? throw new InvalidOperationException("Not initialized.");

    public static string SdkVersion { get; private set; } = "";

    public static string FeedDirectory => Path.Combine(WorkDirectory, "feed");

    public static string PackagePath => Path.Combine(FeedDirectory, $"MultiStage.Sdk.{SdkVersion}.nupkg");

    /// <summary>The registry that serves the stand-in .NET images (see eng/testenv).</summary>
    public static string ImageRegistry => Environment.GetEnvironmentVariable("MULTISTAGE_TEST_REGISTRY") ?? "127.0.0.1:5000";

    [AssemblyInitialize]
    public static void Initialize(TestContext context)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var nonce = Guid.NewGuid().ToString("N").Substring(0, 6);
        SdkVersion = $"0.0.0-test.{stamp}.{nonce}";
        _work = Path.Combine(Path.GetTempPath(), "multistage-tests", $"{stamp}-{nonce}");
        Directory.CreateDirectory(FeedDirectory);
        ProcessRunner.Run("dotnet", new[] { "pack", Path.Combine(RepositoryRoot, "sdk", "MultiStage.Sdk.csproj"), "-c", "Release", "-o", FeedDirectory, $"-p:Version={SdkVersion}", "-nologo" }, RepositoryRoot, timeout: TimeSpan.FromMinutes(10)).EnsureSuccess();
        Assert.IsTrue(File.Exists(PackagePath), PackagePath);

        // Above every workspace: adds the feed without clearing the user's sources, as a repository's NuGet.config would.
        File.WriteAllText(Path.Combine(WorkDirectory, "NuGet.config"),
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"multistage-test-feed\" value=\"{FeedDirectory}\" />\n  </packageSources>\n</configuration>\n");
    }

    [AssemblyCleanup]
    public static void Cleanup()
    {
        // The version is unique to this run: drop it from the global packages folder so runs do not pile up.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(packages, "multistage.sdk", SdkVersion));
        if (Environment.GetEnvironmentVariable("MULTISTAGE_KEEP_TEST_FILES") != "1" && _work is not null)
        {
            TryDelete(_work);
        }
    }

    /// <summary>
    /// Copies a test asset into a fresh folder and pins the SDK version as a user would: through global.json's
    /// <c>msbuild-sdks</c>, or with <paramref name="versionOnSdkElement"/> on the <c>&lt;Sdk&gt;</c> element itself, as
    /// the README shows, with no global.json at all.
    /// </summary>
    public static string CreateWorkspace(string asset, string? folderName = null, bool versionOnSdkElement = false)
    {
        var target = Path.Combine(WorkDirectory, $"{Interlocked.Increment(ref _counter):D2}", folderName ?? asset);
        AssetCopy.Copy(Path.Combine(RepositoryRoot, "testassets", asset), target);
        if (!versionOnSdkElement)
        {
            File.WriteAllText(Path.Combine(target, "global.json"), $"{{\n  \"msbuild-sdks\": {{\n    \"MultiStage.Sdk\": \"{SdkVersion}\"\n  }}\n}}\n");
            return target;
        }

        var pinned = 0;
        foreach (var file in Directory.EnumerateFiles(target, "*.csproj", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var withVersion = text.Replace("<Sdk Name=\"MultiStage.Sdk\" />", $"<Sdk Name=\"MultiStage.Sdk\" Version=\"{SdkVersion}\" />", StringComparison.Ordinal);
            if (withVersion != text)
            {
                File.WriteAllText(file, withVersion);
                pinned++;
            }
        }

        Assert.AreNotEqual(0, pinned, $"no <Sdk Name=\"MultiStage.Sdk\" /> element in {asset} to put the version on");
        return target;
    }

    public static ProcessResult DotNet(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Run("dotnet", arguments, workingDirectory, timeout: TimeSpan.FromMinutes(10));

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
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
