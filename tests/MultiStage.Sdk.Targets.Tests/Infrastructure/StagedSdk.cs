namespace MultiStage.Sdk.Targets.Tests.Infrastructure;

/// <summary>
/// The repository's sdk/Sdk files laid out as NuGet restores the package (multistage.sdk/&lt;version&gt;/ with a
/// .nupkg.metadata), without packing anything. The generator vendors the folder it runs from and names its version in
/// the Dockerfile, so the version is fixed here: the golden files must not change with the repository's version.
/// The task assembly is not copied: builds point MultiStageTasksAssembly at the one just built.
/// </summary>
internal static class StagedSdk
{
    public const string Version = "0.0.0-golden";

    private static readonly Lazy<string> Root = new(Stage);

    /// <summary>The package folder, ending in the version.</summary>
    public static string PackageDirectory => Root.Value;

    public static string PropsPath => Path.Combine(PackageDirectory, "Sdk", "Sdk.props");

    public static string TargetsPath => Path.Combine(PackageDirectory, "Sdk", "Sdk.targets");

    private static string Stage()
    {
        var package = Path.Combine(TestEnvironment.Directory, "packages", "multistage.sdk", Version);
        Directory.CreateDirectory(Path.Combine(package, "Sdk"));
        // Every file of the package's Sdk folder: Sdk.targets imports its siblings.
        foreach (var file in Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "sdk", "Sdk")))
        {
            File.Copy(file, Path.Combine(package, "Sdk", Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(package, ".nupkg.metadata"), "{\n  \"version\": 2,\n  \"contentHash\": \"\",\n  \"source\": null\n}\n");
        return package;
    }
}
