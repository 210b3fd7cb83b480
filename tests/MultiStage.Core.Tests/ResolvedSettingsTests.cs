using MultiStage.Model;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ResolvedSettingsTests
{
    private static readonly ProjectFacts App = new() { ProjectPath = "/repo/App/App.csproj", AssemblyName = "My App", TargetFileName = "My App.dll" };

    private static ResolvedSettings? Resolve(ContainerSettings settings, TestLog? log = null) => ResolvedSettings.Resolve(settings, App, log ?? new TestLog());

    [TestMethod]
    public void NothingSetGivesTheDocumentedDefaults()
    {
        var resolved = Resolve(new ContainerSettings())!;
        Assert.AreEqual("my-app", resolved.Repository, "the assembly name made a valid repository");
        CollectionAssert.AreEqual(new[] { "latest" }, resolved.Tags.ToList());
        Assert.AreEqual("Release", resolved.Configuration);
        Assert.AreEqual("/app/", resolved.WorkingDirectory);
        Assert.AreEqual(BuilderKind.BuildKit, resolved.Builder);
        Assert.AreEqual(SdkSource.Context, resolved.SdkSource);
        Assert.AreEqual(AppCommandInstruction.Entrypoint, resolved.AppCommandInstruction);
        Assert.IsTrue(resolved.CacheMounts);
        Assert.AreEqual(1, resolved.MaxCpuCount, "one node with cache mounts");
        Assert.AreEqual("multistage.sdk", resolved.SdkPackageId);
        Assert.IsNull(resolved.User);
        Assert.IsNull(resolved.ContextRoot);
        Assert.IsNull(resolved.DockerfilePath);
    }

    [TestMethod]
    [DataRow("ContainerRepository", "app\n", "MSTAGE103", "a final line break is part of the name")]
    [DataRow("ContainerRepository", "app-", "MSTAGE103", "a component does not end with a separator")]
    [DataRow("ContainerRepository", "Team/-App", "MSTAGE103", "lowercased, a component still starts with a separator")]
    [DataRow("BaseImageRegistry", "[abc]", "MSTAGE120", "hex digits in brackets are no IPv6 address")]
    [DataRow("BaseImageRegistry", "mirror.example\n", "MSTAGE120", "a final line break is part of the host")]
    [DataRow("ContainerUser", "app\n", "MSTAGE111", "a final line break is part of the name")]
    [DataRow("ContainerUser", "app:0\n", "MSTAGE111", "a final line break is part of the group")]
    public void ANameItsCheckRefusesIsAnError(string property, string value, string code, string because)
    {
        var settings = property switch
        {
            "ContainerRepository" => new ContainerSettings { ContainerRepository = value },
            "BaseImageRegistry" => new ContainerSettings { BaseImageRegistry = value },
            "ContainerUser" => new ContainerSettings { ContainerUser = value },
            _ => throw new ArgumentException(property),
        };
        var log = new TestLog();
        Assert.IsNull(Resolve(settings, log), because);
        Assert.AreEqual(code, log.ErrorCodes, because);
    }

    /// <summary>As Microsoft.NET.Build.Containers: a repository name it can mend is lowercased, other characters made '-', with a warning naming both.</summary>
    [TestMethod]
    [DataRow("Eco Web Api", "eco-web-api")]
    [DataRow("Team/App", "team/app")]
    [DataRow("team/my+app", "team/my-app")]
    public void ARepositoryNameIsNormalizedWithAWarning(string given, string used)
    {
        var log = new TestLog();
        Assert.AreEqual(used, Resolve(new ContainerSettings { ContainerRepository = given }, log)!.Repository);
        Assert.AreEqual("MSTAGE154", string.Join(",", log.Warnings.Select(w => w.Code)));
        StringAssert.Contains(log.Warnings[0].Message, $"'{used}'");
    }

    [TestMethod]
    public void ATagAndATagListTogetherAreAnError()
    {
        var log = new TestLog();
        Assert.IsNull(Resolve(new ContainerSettings { ContainerImageTag = "1.0", ContainerImageTags = "1.0;latest" }, log));
        Assert.AreEqual("MSTAGE145", log.ErrorCodes);
        Assert.AreEqual("1.0,latest", string.Join(",", Resolve(new ContainerSettings { ContainerImageTags = "1.0;latest" })!.Tags));
    }

    [TestMethod]
    public void CacheMountsAreBuildKitOnlyAndOffOnlyWithFalse()
    {
        Assert.IsFalse(Resolve(new ContainerSettings { Builder = "classic" })!.CacheMounts);
        Assert.IsNull(Resolve(new ContainerSettings { Builder = "Classic" })!.MaxCpuCount, "MSBuild's default without cache mounts");
        Assert.IsFalse(Resolve(new ContainerSettings { CacheMounts = "FALSE" })!.CacheMounts);
        Assert.IsTrue(Resolve(new ContainerSettings { CacheMounts = "no" })!.CacheMounts, "a switch is off only with false");
        Assert.AreEqual(4, Resolve(new ContainerSettings { Builder = "Classic", MaxCpuCount = "4" })!.MaxCpuCount);
    }

    [TestMethod]
    public void EverySwitchTakesItsNamesInAnyCaseAndNothingElse()
    {
        foreach (var name in new[] { "BuildKit", "Classic" })
        {
            Assert.AreEqual(name, Resolve(new ContainerSettings { Builder = name.ToUpperInvariant() })!.Builder.ToString());
        }

        foreach (var name in Enum.GetNames(typeof(SdkSource)))
        {
            Assert.AreEqual(name, Resolve(new ContainerSettings { SdkSource = name.ToLowerInvariant() })!.SdkSource.ToString());
        }

        foreach (var name in Enum.GetNames(typeof(AppCommandInstruction)))
        {
            Assert.AreEqual(name, Resolve(new ContainerSettings { AppCommandInstruction = name.ToUpperInvariant() })!.AppCommandInstruction.ToString());
        }

        // Numbers would parse as enum values; Auto is what an unset builder means, not a value to set.
        foreach (var (settings, code) in new (ContainerSettings, string)[]
        {
            (new ContainerSettings { Builder = "1" }, "MSTAGE118"),
            (new ContainerSettings { Builder = "Auto" }, "MSTAGE118"),
            (new ContainerSettings { SdkSource = "0" }, "MSTAGE118"),
            (new ContainerSettings { AppCommandInstruction = "2" }, "MSTAGE116"),
        })
        {
            var log = new TestLog();
            Assert.IsNull(Resolve(settings, log));
            Assert.AreEqual(code, log.ErrorCodes);
        }
    }

    [TestMethod]
    public void TheImageBuildReadsTheBuilderWithTheSameCheck()
    {
        var log = new TestLog();
        Assert.AreEqual(BuilderKind.Auto, ResolvedSettings.ParseBuilder("", log), "unset: the engine decides");
        Assert.AreEqual(BuilderKind.Classic, ResolvedSettings.ParseBuilder("classic", log));
        Assert.IsNull(ResolvedSettings.ParseBuilder("Kaniko", log));
        Assert.AreEqual("MSTAGE118", log.ErrorCodes);
    }
}
