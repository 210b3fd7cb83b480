using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>A throwaway repository tree on disk with the project facts MSBuild would report for it.</summary>
internal sealed class RepoFixture : IDisposable
{
    public RepoFixture()
    {
        Outer = Path.Combine(Path.GetTempPath(), "ms-core-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Outer, "repo");
        Directory.CreateDirectory(Path.Combine(Root, ".git"));
        foreach (var file in new[]
        {
            "Directory.Build.props", "Directory.Packages.props", "NuGet.config", "global.json", "build/common.props",
            "src/App/App.csproj", "src/App/Program.cs", "src/App/obj/App.csproj.nuget.g.props", "src/App/packages.lock.json",
            "src/Lib/Lib.csproj", "src/Lib/Class.cs", "shared/Linked.cs", "tests/App.Tests/App.Tests.csproj",
        })
        {
            Write(file, "<Project />");
        }

        Write("NuGet.config", "<configuration><packageSources><add key=\"vendored\" value=\"./feed\" /><add key=\"remote\" value=\"https://feed.example/v3/index.json\" /></packageSources></configuration>");
        Write("feed/.gitkeep", "");
        File.WriteAllText(Path.Combine(Outer, "NuGet.config"), "<configuration />");
        PackageDir = Path.Combine(Outer, "packages", "multistage.sdk", "1.2.3");
        Directory.CreateDirectory(Path.Combine(PackageDir, "Sdk"));
        File.WriteAllText(Path.Combine(PackageDir, ".nupkg.metadata"), "{}");
        File.WriteAllText(Path.Combine(PackageDir, "Sdk", "Sdk.props"), "<Project />");
    }

    public string Outer { get; }
    public string Root { get; }
    public string PackageDir { get; }

    public string P(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public void Write(string relative, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(P(relative))!);
        File.WriteAllText(P(relative), content);
    }

    public ProjectFacts Project(bool web = true) => new()
    {
        ProjectPath = P("src/App/App.csproj"),
        AssemblyName = "App",
        TargetFileName = "App.dll",
        TargetFramework = "net10.0",
        TargetFrameworkIdentifier = ".NETCoreApp",
        TargetFrameworkVersion = "10.0",
        FrameworkReferences = web ? new[] { "Microsoft.AspNetCore.App" } : Array.Empty<string>(),
        RepositoryRoot = Root,
        Closure = new[]
        {
            new ProjectNode
            {
                ProjectPath = P("src/App/App.csproj"),
                References = new[] { P("src/Lib/Lib.csproj") },
                Imports = new[] { P("Directory.Build.props"), P("build/common.props"), P("Directory.Packages.props"), "/usr/share/dotnet/sdk/10.0.100/Sdks/Microsoft.NET.Sdk/Sdk/Sdk.props", P("src/App/obj/App.csproj.nuget.g.props"), Path.Combine(PackageDir, "Sdk", "Sdk.props") },
                SourceFiles = new[] { P("src/App/Program.cs"), P("shared/Linked.cs") },
                LockFile = P("src/App/packages.lock.json"),
                OutputDirectories = new[] { P("src/App/obj"), P("src/App/bin") },
            },
            new ProjectNode
            {
                ProjectPath = P("src/Lib/Lib.csproj"),
                Imports = new[] { P("Directory.Build.props"), P("build/common.props"), P("Directory.Packages.props") },
                SourceFiles = new[] { P("src/Lib/Class.cs") },
                OutputDirectories = new[] { P("src/Lib/obj"), P("src/Lib/bin") },
            },
        },
    };

    public ContainerSettings Settings() => new() { SdkPackageDirectory = PackageDir, SdkPackageId = "multistage.sdk", SdkPackageVersion = "1.2.3" };

    public IReadOnlyList<string> ExternalRoots => new[] { "/usr/share/dotnet/", Path.Combine(Outer, "packages") };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Outer, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
