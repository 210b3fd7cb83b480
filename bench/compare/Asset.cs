using System.Text.RegularExpressions;

namespace MultiStage.Bench;

/// <summary>A test asset: where its entry project is, which source file the warm runs edit, and what a working image prints.</summary>
internal sealed record Asset(string Name, string ProjectDirectory, string EditedSource, string Expected, bool IsWeb = false, bool HasNuGetDependency = false)
{
    public static readonly IReadOnlyList<Asset> All =
    [
        new("console", ".", "Program.cs", "console-app: hello"),
        new("webapi", ".", "Program.cs", "webapi: ok", IsWeb: true),
        new("worker", ".", "Program.cs", "worker: done", HasNuGetDependency: true),
        new("multiproject", "src/App", "src/App/Program.cs", "multiproject: three steps", HasNuGetDependency: true),
        new("aot", ".", "Program.cs", "aot: hello"),
        new("selfcontained", ".", "Program.cs", "selfcontained: hello"),
        new("icu", ".", "Program.cs", "icu: de-DE"),
        new("razor", ".", "Program.cs", "razor: pages ok", IsWeb: true),
    ];

    /// <summary>The (a)/(b) warm-rebuild limit: the multi-project layout is where a generated Dockerfile should win clearly.</summary>
    public double WarmLimit => Name == "multiproject" ? 0.8 : 1.0;
}

internal static partial class Workspace
{
    /// <summary>Copies an asset without build output, as the integration tests do.</summary>
    public static void Copy(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            var to = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    /// <summary>The copy a user without MultiStage.Sdk would have: the &lt;Sdk Name="MultiStage.Sdk" /&gt; line removed from every MSBuild file.</summary>
    public static void RemoveMultiStageSdk(string root)
    {
        foreach (var file in MsBuildFiles(root))
        {
            var text = File.ReadAllText(file);
            var stripped = SdkLine().Replace(text, "");
            if (stripped != text)
            {
                File.WriteAllText(file, stripped);
            }

            if (stripped.Contains("MultiStage.Sdk", StringComparison.Ordinal))
            {
                throw new BenchException($"{file} still mentions MultiStage.Sdk after removing the <Sdk> line");
            }
        }
    }

    /// <summary>
    /// Puts the version on the asset's &lt;Sdk Name="MultiStage.Sdk" /&gt; elements, as the README shows. Not through a
    /// global.json: its mere presence costs every dotnet command about 0.2 s here (the CLI reads it with a
    /// reflection-based JSON reader), which the copies without MultiStage.Sdk would not pay.
    /// </summary>
    public static void PinSdkVersion(string root, string sdkVersion)
    {
        var pinned = 0;
        foreach (var file in MsBuildFiles(root))
        {
            var text = File.ReadAllText(file);
            var withVersion = SdkLine().Replace(text, m => m.Value.Replace("<Sdk Name=\"MultiStage.Sdk\"", $"<Sdk Name=\"MultiStage.Sdk\" Version=\"{sdkVersion}\"", StringComparison.Ordinal));
            if (withVersion != text)
            {
                File.WriteAllText(file, withVersion);
                pinned++;
            }
        }

        if (pinned == 0 || File.Exists(Path.Combine(root, "global.json")))
        {
            throw new BenchException($"{root}: expected <Sdk Name=\"MultiStage.Sdk\" /> elements to put the version on, and no global.json");
        }
    }

    public static void DeleteBuildOutput(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Where(d => Path.GetFileName(d) is "bin" or "obj").ToList())
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>A one-line change a developer makes between two builds: a new comment line, different every time.</summary>
    public static void EditSource(string file, string tag) =>
        File.AppendAllText(file, $"// benchmark edit {tag} {Guid.NewGuid():N}\n");

    /// <summary>Path, length and last write time of every file outside bin/ and obj/: equal snapshots mean nothing was written.</summary>
    public static SortedDictionary<string, (long Length, DateTime Written)> Snapshot(string root)
    {
        var files = new SortedDictionary<string, (long, DateTime)>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            var info = new FileInfo(file);
            files[relative] = (info.Length, info.LastWriteTimeUtc);
        }

        return files;
    }

    public static List<string> Differences(
        SortedDictionary<string, (long Length, DateTime Written)> before,
        SortedDictionary<string, (long Length, DateTime Written)> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .ToList();

    public static long DirectorySize(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>Scratch folders go quietly: a file still open somewhere is not worth failing a run over.</summary>
    public static void DeleteQuietly(string path)
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

    private static IEnumerable<string> MsBuildFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith("proj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal));

    [GeneratedRegex(@"^[ \t]*<Sdk\s+Name=""MultiStage\.Sdk""[^>]*/>[ \t]*\r?\n?", RegexOptions.Multiline)]
    private static partial Regex SdkLine();
}
