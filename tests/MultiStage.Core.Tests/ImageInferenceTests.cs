using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ImageInferenceTests
{
    private static ProjectFacts Project(string tfm = "net10.0", bool web = false, bool sc = false, bool aot = false, bool trimmed = false, bool invariant = false, string rid = "", string rids = "") => new()
    {
        ProjectPath = "/repo/App/App.csproj",
        AssemblyName = "App",
        TargetFileName = "App.dll",
        TargetFramework = tfm,
        TargetFrameworkIdentifier = tfm.StartsWith("net4", StringComparison.Ordinal) ? ".NETFramework" : ".NETCoreApp",
        TargetFrameworkVersion = tfm.StartsWith("net4", StringComparison.Ordinal) ? "4.7.2" : tfm.Substring(3),
        FrameworkReferences = web ? new[] { "Microsoft.AspNetCore.App" } : Array.Empty<string>(),
        SelfContained = sc,
        PublishAot = aot,
        PublishTrimmed = trimmed,
        InvariantGlobalization = invariant,
        RuntimeIdentifier = rid,
        RuntimeIdentifiers = rids.Split(';', StringSplitOptions.RemoveEmptyEntries),
    };

    private static ImageChoice? Infer(ProjectFacts project, ContainerSettings? settings = null, TestLog? log = null)
    {
        log ??= new TestLog();
        var resolved = ResolvedSettings.Resolve(settings ?? new ContainerSettings(), project, log);
        return resolved is null ? null : ImageInference.Infer(project, resolved, log);
    }

    /// <summary>
    /// The repository by Microsoft.NET.Build.Containers' rule (runtime-deps when self-contained, aspnet for web, else
    /// runtime); the flavour chiseled for every app, where Microsoft's rule keeps it for trimmed and AOT apps:
    /// -extra (ICU, tzdata) unless the app is globalization-invariant.
    /// </summary>
    [TestMethod]
    public void ChiseledByDefaultWithMicrosoftsRepositories()
    {
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra", Infer(Project())!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra", Infer(Project(web: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", Infer(Project(web: true, invariant: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra", Infer(Project(sc: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", Infer(Project(aot: true, invariant: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra", Infer(Project(aot: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", Infer(Project(sc: true, trimmed: true, invariant: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled-extra", Infer(Project("net8.0", web: true))!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled", Infer(Project("net8.0", aot: true, invariant: true))!.RuntimeImage);
        Assert.IsTrue(Infer(Project())!.ShellLess);
    }

    /// <summary>Where Microsoft's rule would pick its full image, the choice names that image (the log's way back); where both pick chiseled, nothing.</summary>
    [TestMethod]
    public void TheChoiceNamesMicrosoftsDefaultWhereTheyDiffer()
    {
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0", Infer(Project(web: true))!.MicrosoftDefaultImage);
        Assert.AreEqual("127.0.0.1:5000/dotnet/runtime:10.0", Infer(Project(), new ContainerSettings { BaseImageRegistry = "127.0.0.1:5000" })!.MicrosoftDefaultImage);
        Assert.IsNull(Infer(Project(aot: true))!.MicrosoftDefaultImage);
        Assert.IsNull(Infer(Project(), new ContainerSettings { ContainerFamily = "noble" })!.MicrosoftDefaultImage);
        Assert.IsFalse(Infer(Project(), new ContainerSettings { ContainerFamily = "noble" })!.ShellLess);
        Assert.IsFalse(Infer(Project(), new ContainerSettings { ContainerBaseImage = "registry.example/own:1" })!.ShellLess);
    }

    /// <summary>A ContainerBaseImage of Microsoft's chiseled or distroless images gets the checks of an inferred one; another vendor's does not.</summary>
    [TestMethod]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", "", true)]
    [DataRow("127.0.0.1:5000/dotnet/runtime:10.0-azurelinux3.0-distroless-extra", "", true)]
    [DataRow("registry.example/own:1", "noble-chiseled", true)]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0-noble", "", false)]
    [DataRow("gcr.io/distroless/base-debian12:nonroot", "", false)]
    [DataRow("registry.example/own-chiseled:1", "", false)]
    public void ANamedBaseImageIsShellLessWhenItIsMicrosoftsChiseledOrDistroless(string image, string family, bool shellLess)
    {
        Assert.AreEqual(shellLess, Infer(Project(), new ContainerSettings { ContainerBaseImage = image, ContainerFamily = family })!.ShellLess);
    }

    [TestMethod]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra", "MSTAGE144")]
    [DataRow("gcr.io/distroless/base-debian12:nonroot", "")]
    public void ANamedChiseledImageOfMicrosoftsHasOnlyItsUsers(string image, string code)
    {
        var log = new TestLog();
        var settings = ResolvedSettings.Resolve(new ContainerSettings { ContainerBaseImage = image, ContainerUser = "nonroot" }, Project(), log)!;
        Assert.AreEqual(code == "", ShellLessImageChecks.Check(settings, ImageInference.Infer(Project(), settings, log)!, log));
        Assert.AreEqual(code, log.ErrorCodes);
    }

    [TestMethod]
    public void DistrolessFamiliesGetExtraLikeChiseledOnes()
    {
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-azurelinux3.0-distroless-extra", Infer(Project(web: true), new ContainerSettings { ContainerFamily = "azurelinux3.0-distroless" })!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-azurelinux3.0-distroless", Infer(Project(web: true, invariant: true), new ContainerSettings { ContainerFamily = "azurelinux3.0-distroless" })!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-azurelinux3.0", Infer(Project(web: true), new ContainerSettings { ContainerFamily = "azurelinux3.0" })!.RuntimeImage);
    }

    [TestMethod]
    [DataRow("sh", "MSTAGE143")]
    [DataRow("/bin/bash", "MSTAGE143")]
    [DataRow("/usr/bin/env", "MSTAGE143")]
    public void AShellCommandOnAChiseledImageIsAnError(string command, string code)
    {
        var log = new TestLog();
        var settings = ResolvedSettings.Resolve(new ContainerSettings { AppCommand = new[] { command, "-c", "dotnet /app/App.dll" } }, Project(), log)!;
        Assert.IsFalse(ShellLessImageChecks.Check(settings, ImageInference.Infer(Project(), settings, log)!, log));
        Assert.AreEqual(code, log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, "ContainerFamily=noble");

        var withShell = ResolvedSettings.Resolve(new ContainerSettings { AppCommand = new[] { command }, ContainerFamily = "alpine" }, Project(), log)!;
        Assert.IsTrue(ShellLessImageChecks.Check(withShell, ImageInference.Infer(Project(), withShell, log)!, log), "alpine has a shell");
    }

    [TestMethod]
    [DataRow("app", true)]
    [DataRow("root", true)]
    [DataRow("1654", true)]
    [DataRow("1000:1000", true)]
    [DataRow("app:app", true)]
    [DataRow("www-data", false)]
    [DataRow("app:staff", false)]
    public void OnlyTheChiseledImagesUsersAreAccepted(string user, bool accepted)
    {
        var log = new TestLog();
        var settings = ResolvedSettings.Resolve(new ContainerSettings { ContainerUser = user }, Project(), log)!;
        Assert.AreEqual(accepted, ShellLessImageChecks.Check(settings, ImageInference.Infer(Project(), settings, log)!, log));
        Assert.AreEqual(accepted ? "" : "MSTAGE144", log.ErrorCodes);
    }

    /// <summary>
    /// Microsoft.NET.Build.Containers (ComputeDotnetBaseImageAndTag, UbuntuCodenameForSDKVersion) picks the Ubuntu of
    /// chiseled images by the .NET SDK's version: noble from 8.0.300 on, by SemVer order (a prerelease of 8.0.300 is older).
    /// </summary>
    [TestMethod]
    [DataRow("8.0.100", "jammy")]
    [DataRow("8.0.204", "jammy")]
    [DataRow("8.0.300-preview.24203.14", "jammy")]
    [DataRow("8.0.300", "noble")]
    [DataRow("8.0.404", "noble")]
    [DataRow("9.0.100", "noble")]
    [DataRow("10.0.100-rc.2.25502.107", "noble")]
    [DataRow("10.0.401", "noble")]
    public void ChiseledUbuntuFollowsTheSdkVersion(string sdkVersion, string ubuntu)
    {
        var aot = Infer(Project("net8.0", aot: true, invariant: true) with { SdkVersion = sdkVersion })!;
        Assert.AreEqual($"mcr.microsoft.com/dotnet/runtime-deps:8.0-{ubuntu}-chiseled", aot.RuntimeImage);
        Assert.AreEqual($"mcr.microsoft.com/dotnet/runtime-deps:8.0-{ubuntu}-chiseled-extra", Infer(Project("net8.0", trimmed: true) with { SdkVersion = sdkVersion })!.RuntimeImage);
        // A native binary built on a newer glibc may not start on an older one: the AOT build stage runs the same Ubuntu.
        Assert.AreEqual($"mcr.microsoft.com/dotnet/sdk:8.0-{ubuntu}-aot", aot.SdkImage);
    }

    [TestMethod]
    public void FamilyAddsExtraOnlyWhenTheAppNeedsGlobalizationOnChiseled()
    {
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra", Infer(Project(), new ContainerSettings { ContainerFamily = "noble-chiseled" })!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled", Infer(Project(invariant: true), new ContainerSettings { ContainerFamily = "noble-chiseled" })!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-alpine", Infer(Project(web: true), new ContainerSettings { ContainerFamily = "alpine" })!.RuntimeImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/aspnet:10.0-noble", Infer(Project(web: true), new ContainerSettings { ContainerFamily = "noble" })!.RuntimeImage);
    }

    [TestMethod]
    public void MuslRuntimeIdentifiersSelectAlpine()
    {
        var choice = Infer(Project(sc: true, rid: "linux-musl-x64"))!;
        Assert.AreEqual("mcr.microsoft.com/dotnet/runtime-deps:10.0-alpine", choice.RuntimeImage);
        Assert.IsTrue(choice.Musl);
        Assert.AreEqual("mcr.microsoft.com/dotnet/sdk:10.0-alpine-aot", Infer(Project(aot: true, rid: "linux-musl-x64"))!.SdkImage);
    }

    [TestMethod]
    public void AotBuildsOnTheAotSdkImage()
    {
        Assert.AreEqual("mcr.microsoft.com/dotnet/sdk:10.0-noble-aot", Infer(Project(aot: true))!.SdkImage);
        Assert.AreEqual("mcr.microsoft.com/dotnet/sdk:10.0", Infer(Project())!.SdkImage);
    }

    [TestMethod]
    public void MirrorMovesEveryInferredImageButNotTheUsersOwn()
    {
        var mirrored = Infer(Project(web: true), new ContainerSettings { BaseImageRegistry = "127.0.0.1:5000" })!;
        Assert.AreEqual("127.0.0.1:5000/dotnet/aspnet:10.0-noble-chiseled-extra", mirrored.RuntimeImage);
        Assert.AreEqual("127.0.0.1:5000/dotnet/sdk:10.0", mirrored.SdkImage);
        var own = Infer(Project(), new ContainerSettings { BaseImageRegistry = "mirror.example/mcr", ContainerBaseImage = "registry.example/base/dotnet:1" })!;
        Assert.AreEqual("registry.example/base/dotnet:1", own.RuntimeImage);
        Assert.IsFalse(own.RuntimeImageInferred);
        Assert.AreEqual("mirror.example/mcr/dotnet/sdk:10.0", own.SdkImage);
    }

    [TestMethod]
    [DataRow("noble-chisled", "MSTAGE105")]
    [DataRow("Alpine", "MSTAGE105")]
    public void UnknownFamiliesAreErrors(string family, string code)
    {
        var log = new TestLog();
        Assert.IsNull(Infer(Project(), new ContainerSettings { ContainerFamily = family }, log));
        Assert.AreEqual(code, log.ErrorCodes);
    }

    [TestMethod]
    public void ProjectShapesWithoutAnImageAreErrors()
    {
        var log = new TestLog();
        Assert.IsNull(Infer(Project() with { TargetFramework = "", TargetFrameworks = "net8.0;net10.0" }, log: log));
        Assert.IsNull(Infer(Project("net472"), log: log));
        Assert.IsNull(Infer(Project(rid: "win-x64"), log: log));
        Assert.IsNull(Infer(Project(rids: "linux-x64;linux-musl-arm64"), log: log));
        Assert.IsNull(Infer(Project(), new ContainerSettings { ContainerBaseImage = "Bad Image:1" }, log));
        Assert.IsNull(Infer(Project(), new ContainerSettings { SdkImage = "sdk:tag:tag" }, log));
        Assert.AreEqual("MSTAGE106,MSTAGE117,MSTAGE112,MSTAGE112,MSTAGE101,MSTAGE119", log.ErrorCodes);
    }

    [TestMethod]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0", true)]
    [DataRow("127.0.0.1:5000/dotnet/runtime-deps:10.0-noble-chiseled", true)]
    [DataRow("ubuntu", true)]
    [DataRow("localhost/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [DataRow("[::1]:5000/app:1", true)]
    [DataRow("UPPER/case:1", false)]
    [DataRow("app:bad tag", false)]
    [DataRow("app:", false)]
    [DataRow("app:1\nRUN x", false)]
    [DataRow("-app", false)]
    [DataRow("app\n", false)]
    [DataRow("[abc]/app:1", false)]
    public void ImageReferences(string reference, bool valid) => Assert.AreEqual(valid, ImageReference.IsValidReference(reference));

    [TestMethod]
    [DataRow("latest", true)]
    [DataRow("1.2.3-rc.1_x", true)]
    [DataRow(".hidden", false)]
    [DataRow("-dash", false)]
    [DataRow("has space", false)]
    [DataRow("latest\n", false)]
    public void Tags(string tag, bool valid) => Assert.AreEqual(valid, ImageReference.IsValidTag(tag));

    [TestMethod]
    [DataRow("mirror.example.com/mcr", true, "")]
    [DataRow("127.0.0.1:5000", true, "")]
    [DataRow("[::1]:5000/mirror", true, "")]
    [DataRow("[abc]", false, "hex digits in brackets are no IPv6 address")]
    [DataRow("[::1", false, "")]
    [DataRow("mirror.example\n", false, "a final line break is part of the value")]
    [DataRow("https://mirror.example", false, "")]
    public void Registries(string registry, bool valid, string because) => Assert.AreEqual(valid, ImageReference.IsValidRegistry(registry), because);

    [TestMethod]
    public void ARegistryIsAtMostTheLongestNameAReferenceHolds()
    {
        Assert.IsTrue(ImageReference.IsValidRegistry(new string('a', 255)));
        Assert.IsFalse(ImageReference.IsValidRegistry(new string('a', 256)));
        Assert.IsFalse(ImageReference.IsValidRegistry("mirror.example/" + new string('a', 241)));
    }

    [TestMethod]
    public void NoNameCheckTakesAFinalLineBreak()
    {
        foreach (var valid in new[] { "team/app", "mirror.example", "localhost:5000/team/app" })
        {
            Assert.IsNull(ImageReference.CheckRepository(valid), valid);
            Assert.IsNotNull(ImageReference.CheckRepository(valid + "\n"), valid + " with a line break");
        }
    }
}
