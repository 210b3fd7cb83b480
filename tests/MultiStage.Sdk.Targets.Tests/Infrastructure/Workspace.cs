using System.Xml.Linq;
using MultiStage.Tests.Shared;

namespace MultiStage.Sdk.Targets.Tests.Infrastructure;

/// <summary>A test asset copied into a fresh folder, its projects importing the staged SDK instead of resolving a package.</summary>
internal sealed class Workspace
{
    private static int _counter;

    /// <summary>Assets that are a whole repository (see testassets/README.md).</summary>
    private static readonly string[] RepositoryAssets = { "inputs" };

    private Workspace(string root, string projectPath)
    {
        Root = root;
        ProjectPath = projectPath;
    }

    public string Root { get; }

    /// <summary>The project that references MultiStage.Sdk (the entry project of the asset).</summary>
    public string ProjectPath { get; }

    public string Dockerfile => Path.Combine(Root, "Dockerfile");

    public string DockerIgnore => Path.Combine(Root, ".dockerignore");

    /// <summary>
    /// A fresh copy of testassets/<paramref name="asset"/>, restored in-process unless <paramref name="restore"/> is false, as
    /// dotnet build and publish restore before anything else.
    /// </summary>
    public static Workspace Create(string asset, bool restore = true)
    {
        var root = Path.Combine(TestEnvironment.Directory, Interlocked.Increment(ref _counter).ToString("D2", System.Globalization.CultureInfo.InvariantCulture), asset);
        AssetCopy.Copy(Path.Combine(TestEnvironment.RepositoryRoot, "testassets", asset), root);
        if (RepositoryAssets.Contains(asset))
        {
            // A clone of the repository it stands for: the generator finds its root by .git.
            System.IO.Directory.CreateDirectory(Path.Combine(root, ".git"));
        }

        var entries = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories).Where(ImportStagedSdk).ToList();
        Assert.AreEqual(1, entries.Count, $"{asset} should have one project that says <Sdk Name=\"MultiStage.Sdk\" />");
        var workspace = new Workspace(root, entries[0]);
        if (restore)
        {
            InProcessBuild.Restore(workspace.ProjectPath);
        }

        return workspace;
    }

    /// <summary>
    /// A fresh copy of a repository asset whose projects get the SDK from Directory.Build.targets and whose solution
    /// gets Solution.targets from Directory.Solution.targets; those imports point at the staged SDK. <see cref="ProjectPath"/>
    /// is the asset's solution, restored in-process unless <paramref name="restore"/> is false.
    /// </summary>
    public static Workspace CreateRepository(string asset, string solution, bool restore = true)
    {
        var root = Path.Combine(TestEnvironment.Directory, Interlocked.Increment(ref _counter).ToString("D2", System.Globalization.CultureInfo.InvariantCulture), asset);
        AssetCopy.Copy(Path.Combine(TestEnvironment.RepositoryRoot, "testassets", asset), root);
        foreach (var file in new[] { "Directory.Build.targets", "Directory.Solution.targets" }.Select(f => Path.Combine(root, f)).Where(File.Exists))
        {
            var document = XDocument.Load(file, LoadOptions.PreserveWhitespace);
            foreach (var import in document.Root!.Elements("Import").Where(e => (string?)e.Attribute("Sdk") == "MultiStage.Sdk").ToList())
            {
                import.Attribute("Sdk")!.Remove();
                import.SetAttributeValue("Project", Path.Combine(StagedSdk.PackageDirectory, "Sdk", (string)import.Attribute("Project")!));
            }

            File.WriteAllText(file, document.ToString(SaveOptions.DisableFormatting) + "\n");
        }

        var workspace = new Workspace(root, Path.Combine(root, solution));
        if (restore)
        {
            InProcessBuild.Restore(workspace.ProjectPath);
        }

        return workspace;
    }

    /// <summary>Pins the SDK's version in global.json's msbuild-sdks, the other way a user can; the build stage copies that file.</summary>
    public void PinVersionInGlobalJson() => File.WriteAllText(Path.Combine(Root, "global.json"),
        $"{{\n  \"msbuild-sdks\": {{\n    \"MultiStage.Sdk\": \"{StagedSdk.Version}\"\n  }}\n}}\n");

    public void EditProject(Func<string, string> edit) => File.WriteAllText(ProjectPath, edit(File.ReadAllText(ProjectPath)));

    /// <summary>Adds XML just before &lt;/Project&gt; of the entry project.</summary>
    public void AddToProject(string xml) => EditProject(text => text.Replace("</Project>", xml + "\n</Project>", StringComparison.Ordinal));

    /// <summary>
    /// Rewrites &lt;Project Sdk="X"&gt; with &lt;Sdk Name="MultiStage.Sdk" /&gt; into the explicit imports MSBuild makes of
    /// it (both SDKs' props first, in that order, both targets last), with the staged SDK in place of the package.
    /// </summary>
    private static bool ImportStagedSdk(string csproj)
    {
        var document = XDocument.Load(csproj, LoadOptions.PreserveWhitespace);
        var project = document.Root!;
        var element = project.Elements("Sdk").SingleOrDefault(e => (string?)e.Attribute("Name") == "MultiStage.Sdk");
        if (element is null)
        {
            return false;
        }

        var sdk = (string?)project.Attribute("Sdk") ?? throw new InvalidOperationException(csproj + " has no Sdk attribute");
        project.Attribute("Sdk")!.Remove();
        element.Remove();
        project.AddFirst(
            new XText("\n  "), new XElement("Import", new XAttribute("Project", "Sdk.props"), new XAttribute("Sdk", sdk)),
            new XText("\n  "), new XElement("Import", new XAttribute("Project", StagedSdk.PropsPath)));
        project.Add(
            new XText("  "), new XElement("Import", new XAttribute("Project", "Sdk.targets"), new XAttribute("Sdk", sdk)),
            new XText("\n  "), new XElement("Import", new XAttribute("Project", StagedSdk.TargetsPath)),
            new XText("\n"));
        File.WriteAllText(csproj, document.ToString(SaveOptions.DisableFormatting) + "\n");
        return true;
    }
}
