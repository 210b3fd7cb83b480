using MultiStage.Model;
using System.Runtime.Versioning;
using MultiStage.Dockerfiles;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Folders and files with names the builders' globs would misread, each beside the decoy a glob would copy instead,
/// are copied through the Dockerfile model with both builders: the image must hold exactly the intended files.
/// docs/copy-paths.md records what the builders do with these names when they are written as they are.
/// </summary>
[TestClass]
[TestCategory("Engine")]
[UnsupportedOSPlatform("windows")]
public sealed class EngineCopyPathTests
{
    private const string Decoy = "decoy";

    // Folder names under src/, each with the decoys its glob reading would match.
    private static readonly (string Name, string[] Decoys)[] Folders =
    {
        ("a[b]", new[] { "ab" }),
        ("st*r", new[] { "stXr", "st" }),
        ("q?", new[] { "qX" }),
        ("*", new[] { "X" }),
        ("?", new[] { "Y" }),
        ("**", new[] { "ZZ" }),
        ("back\\slash", new[] { "backslash" }),
        ("trail\\", new[] { "trail" }),
        ("a\\[b]", new[] { "a[b", "a\\b" }),
        ("ra[!x]nge", new[] { "ra!nge", "raxnge" }),
        ("a[b-c]", new[] { "a-b]" }),
        ("{a,b}", new[] { "a", "b" }),
        ("c^a", Array.Empty<string>()),
        ("a]^b", Array.Empty<string>()),
        ("br]ack", Array.Empty<string>()),
        ("sp ace", Array.Empty<string>()),
        ("$HOME", Array.Empty<string>()),
        ("-lead", Array.Empty<string>()),
        ("--from=build", Array.Empty<string>()),
        ("dq\"x", Array.Empty<string>()),
        ("sq'x", Array.Empty<string>()),
        ("ümlaut*", new[] { "ümlautX" }),
        ("emoji😀?", new[] { "emoji😀X" }),
        ("$(x)[y]`z`;|&<>#%=,+@~", new[] { "$(x)y`z`;|&<>#%=,+@~" }),
    };

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task HostileNamesCopyExactlyTheirOwnFiles(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var instructions = new List<Instruction> { new From("scratch") };

        // The restore-input shape: several files into one folder, a project file among them beside its glob twin.
        dir.Write("src/NuGet.config", "config");
        dir.Write("src/a[1].csproj", "project");
        dir.Write("src/a1.csproj", Decoy);
        instructions.Add(new Copy(new[] { "src/NuGet.config", "src/a[1].csproj" }, "/out/restore/"));
        expected["out/restore/NuGet.config"] = "config";
        expected["out/restore/a[1].csproj"] = "project";

        // The source-folder shape: a folder to the folder of the same name.
        foreach (var (name, decoys) in Folders)
        {
            dir.Write($"src/{name}/Program.cs", name);
            dir.Write($"src/{name}/sub/{name}", name);
            foreach (var decoy in decoys)
            {
                dir.Write($"src/{decoy}/Program.cs", Decoy);
                dir.Write($"src/{decoy}/secret.txt", Decoy);
            }

            instructions.Add(new Copy(new[] { $"src/{name}/" }, $"/out/src/{name}/"));
            expected[$"out/src/{name}/Program.cs"] = name;
            expected[$"out/src/{name}/sub/{name}"] = name;
        }

        dir.Write("Dockerfile", DockerfileWriter.Write(new Dockerfile(instructions)));
        var repository = EngineTestEnvironment.UniqueRepository("copypaths");
        var request = EngineTestEnvironment.OfflineBuild(dir.Path, repository, builder);

        try
        {
            var result = await client.BuildAsync(request, new TestLog());
            var actual = await EngineTestEnvironment.ReadFilesAsync(result.ImageId, "/out");
            CollectionAssert.AreEqual(
                expected.Select(e => $"{e.Key} = {e.Value}").ToList(),
                actual.Select(e => $"{e.Key} = {e.Value}").ToList(),
                "Image holds:\n" + string.Join("\n", actual.Select(e => $"{e.Key} = {e.Value}")));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }
}
