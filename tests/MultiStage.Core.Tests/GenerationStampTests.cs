using MultiStage.Generation;
using MultiStage.Incrementality;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class GenerationStampTests
{
    private static readonly KeyValuePair<string, string>[] Outputs =
    {
        new("GeneratedDockerfile", "/repo/Dockerfile"),
        new("ImageTags", "1.0"),
        new("ImageTags", "latest"),
    };

    /// <summary>A generation as the task runs it, stamped as the task stamps it; returns the stamp file.</summary>
    private static string GenerateAndStamp(RepoFixture repo, DateTime? startedAt = null)
    {
        var result = Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog())!;
        var stamp = repo.P("src/App/obj/Release/net10.0/multistage.generation.stamp");
        GenerationStamp.Write(stamp, "k1", Outputs, result.Inputs, result.OutputFiles, startedAt ?? DateTime.UtcNow.AddMinutes(-1));
        return stamp;
    }

    /// <summary>Every file older than the moment the generation is said to start, as on a machine where nothing is being edited.</summary>
    private static void Age(RepoFixture repo)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(repo.Outer, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        }
    }

    [TestMethod]
    public void AnUnchangedGenerationGivesBackItsOutputs()
    {
        using var repo = new RepoFixture();
        Age(repo);
        var stamp = GenerateAndStamp(repo);
        var read = GenerationStamp.TryRead(stamp, "k1");
        Assert.IsNotNull(read);
        CollectionAssert.AreEqual(Outputs, read.ToList());
        Assert.IsNull(GenerationStamp.TryRead(stamp, "k2"), "another key (a parameter changed) misses");
    }

    [TestMethod]
    public void ItWatchesWhatThePlanReadAndWhatItWrote()
    {
        using var repo = new RepoFixture();
        var result = Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog())!;
        CollectionAssert.Contains(result.Inputs.ToList(), (PathStampKind.File, repo.P("NuGet.config")));
        CollectionAssert.Contains(result.Inputs.ToList(), (PathStampKind.File, repo.P("src/App/NuGet.config")), "a walk-up candidate that is not there");
        CollectionAssert.Contains(result.Inputs.ToList(), (PathStampKind.Entry, repo.P("feed")));
        CollectionAssert.Contains(result.Inputs.ToList(), (PathStampKind.File, repo.P(".dockerignore")));
        CollectionAssert.Contains(result.Inputs.ToList(), (PathStampKind.File, Path.Combine(repo.PackageDir, ".nupkg.metadata")));
        CollectionAssert.Contains(result.OutputFiles.ToList(), repo.P("Dockerfile"));
        CollectionAssert.Contains(result.OutputFiles.ToList(), repo.P(".dockerignore"));
        CollectionAssert.Contains(result.OutputFiles.ToList(), repo.P(".multistage/.gitignore"));
        CollectionAssert.Contains(result.OutputFiles.ToList(), repo.P(".multistage/packages/multistage.sdk/1.2.3/Sdk/Sdk.props"));
    }

    [TestMethod]
    [DataRow("edit NuGet.config")]
    [DataRow("add a NuGet.config beside a project")]
    [DataRow("add a global.json beside a project")]
    [DataRow("create a folder feed NuGet.config names")]
    [DataRow("remove a folder feed")]
    [DataRow("edit the Dockerfile")]
    [DataRow("delete the Dockerfile")]
    [DataRow("take over the .dockerignore")]
    [DataRow("delete the vendored package")]
    [DataRow("restore the SDK package again")]
    public void AnythingTheGenerationReadOrWroteInvalidatesIt(string change)
    {
        using var repo = new RepoFixture();
        repo.Write("NuGet.config", "<configuration><packageSources><add key=\"vendored\" value=\"./feed\" /><add key=\"later\" value=\"./later-feed\" /></packageSources></configuration>");
        Age(repo);
        var stamp = GenerateAndStamp(repo);
        Assert.IsNotNull(GenerationStamp.TryRead(stamp, "k1"));
        switch (change)
        {
            case "edit NuGet.config": repo.Write("NuGet.config", "<configuration />"); break;
            case "add a NuGet.config beside a project": repo.Write("src/Lib/NuGet.config", "<configuration />"); break;
            case "add a global.json beside a project": repo.Write("src/App/global.json", "{}"); break;
            case "create a folder feed NuGet.config names": Directory.CreateDirectory(repo.P("later-feed")); break;
            case "remove a folder feed": Directory.Delete(repo.P("feed"), recursive: true); break;
            case "edit the Dockerfile": File.AppendAllText(repo.P("Dockerfile"), "# mine\n"); break;
            case "delete the Dockerfile": File.Delete(repo.P("Dockerfile")); break;
            case "take over the .dockerignore": repo.Write(".dockerignore", "# mine\n"); break;
            case "delete the vendored package": Directory.Delete(repo.P(".multistage"), recursive: true); break;
            case "restore the SDK package again": File.WriteAllText(Path.Combine(repo.PackageDir, ".nupkg.metadata"), "{ }"); break;
        }

        Assert.IsNull(GenerationStamp.TryRead(stamp, "k1"), change);
    }

    [TestMethod]
    public void NothingIsStoredWhenAnInputChangedDuringTheGeneration()
    {
        using var repo = new RepoFixture();
        Age(repo);
        var stamp = GenerateAndStamp(repo);
        Assert.IsNotNull(GenerationStamp.TryRead(stamp, "k1"));

        // NuGet.config saved while the plan ran: the plan may have seen the old content; the older stamp goes too.
        var startedAt = DateTime.UtcNow.AddSeconds(-1);
        repo.Write("NuGet.config", "<configuration />");
        Assert.IsFalse(GenerationStamp.Write(stamp, "k1", Outputs, new[] { (PathStampKind.File, repo.P("NuGet.config")) }, Array.Empty<string>(), startedAt));
        Assert.IsFalse(File.Exists(stamp));
    }

    [TestMethod]
    public void ACorruptStampIsIgnored()
    {
        using var repo = new RepoFixture();
        Age(repo);
        var stamp = GenerateAndStamp(repo);
        File.AppendAllText(stamp, "stamp\tx\t1\t/somewhere\n");
        Assert.IsNull(GenerationStamp.TryRead(stamp, "k1"));
    }
}
