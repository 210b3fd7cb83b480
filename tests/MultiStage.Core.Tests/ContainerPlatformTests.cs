using MultiStage.Inference;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ContainerPlatformTests
{
    [TestMethod]
    [DataRow("linux-x64", "linux/amd64", "linux/amd64")]
    [DataRow("linux-arm64", "linux/arm64/v8", "linux/arm64")]
    [DataRow("linux-musl-arm64", "linux/arm64/v8", "linux/arm64")]
    [DataRow("linux-arm", "linux/arm/v7", "linux/arm")]
    [DataRow("linux-s390x", "linux/s390x", "linux/s390x")]
    public void RuntimeIdentifierNamesItsImagePlatform(string rid, string platform, string buildPlatform)
    {
        var result = ContainerPlatform.FromRuntimeIdentifier(rid, out var problem);

        Assert.AreEqual("", problem);
        Assert.AreEqual(platform, result!.ToString());
        Assert.AreEqual(buildPlatform, result.BuildPlatform);
    }

    [TestMethod]
    [DataRow("win-x64", "not a Linux runtime identifier")]
    [DataRow("osx-arm64", "not a Linux runtime identifier")]
    [DataRow("linux-x86", "architecture no .NET container image")]
    [DataRow("linux-arm64;x", "architecture no .NET container image")]
    [DataRow("", "not a Linux runtime identifier")]
    public void RuntimeIdentifierWithoutAPlatformSaysWhy(string rid, string expected)
    {
        Assert.IsNull(ContainerPlatform.FromRuntimeIdentifier(rid, out var problem));
        StringAssert.Contains(problem, expected);
    }

    [TestMethod]
    public void ListKeepsItsOrderAndDropsRepeatsAndBlanks()
    {
        var platforms = ContainerPlatform.FromRuntimeIdentifiers(["linux-arm64", " linux-x64 ", "", "linux-arm64"], out var problem);

        Assert.AreEqual("", problem);
        CollectionAssert.AreEqual(new[] { "linux/arm64/v8", "linux/amd64" }, platforms!.Select(p => p.ToString()).ToArray());
    }

    /// <summary>The list is split in one place, Sdk.targets' item (MultiPlatformTargetsTests): an entry is one RID.</summary>
    [TestMethod]
    public void AnEntryIsOneRuntimeIdentifierNotAList()
    {
        Assert.IsNull(ContainerPlatform.FromRuntimeIdentifiers(["linux-x64;linux-arm64"], out var problem));
        StringAssert.Contains(problem, "'linux-x64;linux-arm64'");
    }

    [TestMethod]
    public void TwoRuntimeIdentifiersOfOnePlatformAreRefused()
    {
        Assert.IsNull(ContainerPlatform.FromRuntimeIdentifiers(["linux-x64", "linux-musl-x64"], out var problem));
        StringAssert.Contains(problem, "same image platform (linux/amd64)");
    }
}
