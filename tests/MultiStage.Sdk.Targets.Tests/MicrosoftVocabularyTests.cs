using System.Text.RegularExpressions;
using System.Xml.Linq;
using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>
/// A user who moves from dotnet publish -t:PublishContainer loses no setting without being told: every property and
/// item Microsoft.NET.Build.Containers reads (from the installed SDK's targets) is honoured by Sdk.targets, answered
/// by an MSTAGE153 warning that names it, or is one of the project's own properties that MSBuild reads anyway.
/// </summary>
[TestClass]
public sealed class MicrosoftVocabularyTests
{
    /// <summary>The project's own properties, which Microsoft's targets read as facts and this SDK reads as well.</summary>
    private static readonly string[] ProjectFacts =
    {
        "AssemblyName", "Authors", "NETCoreSdkPortableRuntimeIdentifier", "Description", "InvariantGlobalization", "IsPublishable", "IsRidAgnostic",
        "MSBuildProjectFullPath", "NETCoreSdkVersion", "NetCoreSdkVersion", "OutputType", "PackageLicenseExpression",
        "PackageProjectUrl", "PackageVersion", "PrivateRepositoryUrl", "PublishAot", "PublishDir", "PublishRepositoryUrl",
        "PublishSelfContained", "PublishTrimmed", "RepositoryType", "RuntimeIdentifier", "RuntimeIdentifierGraphPath",
        "RuntimeIdentifiers", "SelfContained", "SourceRevisionId", "TargetFileName", "TargetFramework",
        "TargetFrameworkIdentifier", "TargetFrameworks", "Title", "FrameworkReference", "PackageReference", "ProjectCapability",
        // Visual Studio's: which IDE or publish profile runs the build, not a container setting.
        "BuildingInsideVisualStudio", "PublishProfile", "WebPublishMethod",
        // Microsoft's extension point of its own target, and the switch that turns its targets on.
        "PublishContainerDependsOn", "EnableSdkContainerSupport",
    };

    /// <summary>What Microsoft's tasks compute and hand to the next target (outputs, not inputs).</summary>
    private static readonly string[] MicrosoftOutputs =
    {
        "ContainerBaseRegistry", "ContainerBaseName", "ContainerBaseTag", "ContainerBaseDigest", "GeneratedContainer",
        "GeneratedContainerConfiguration", "GeneratedContainerDigest", "GeneratedContainerManifest", "GeneratedContainerMediaType",
        "OriginalImageTags", "ContainerEnvironmentVariables",
    };

    private static string MicrosoftTargetsPath()
    {
        // The located MSBuild is the SDK's; its Containers folder holds Microsoft.NET.Build.Containers.
        var sdk = Path.GetDirectoryName(typeof(Microsoft.Build.Evaluation.ProjectCollection).Assembly.Location)!;
        var path = Path.Combine(sdk, "Containers", "build", "Microsoft.NET.Build.Containers.targets");
        Assert.IsTrue(File.Exists(path), $"the installed SDK has no {path}");
        return path;
    }

    /// <summary>Every $(Name) and @(Name) Microsoft's targets read, without its private (underscore) names.</summary>
    private static SortedSet<string> MicrosoftNames()
    {
        var text = File.ReadAllText(MicrosoftTargetsPath());
        return new SortedSet<string>(
            Regex.Matches(text, @"[$@]\(([A-Za-z][A-Za-z0-9_]*)").Select(m => m.Groups[1].Value),
            StringComparer.Ordinal);
    }

    private static string OurTargets() => File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "sdk", "Sdk", "Sdk.targets"));

    /// <summary>The names the MSTAGE153 warnings of Sdk.targets test in their conditions.</summary>
    private static HashSet<string> WarnedNames()
    {
        var warnings = XDocument.Parse(OurTargets()).Descendants("Warning")
            .Where(w => (string?)w.Attribute("Code") == "MSTAGE153");
        return warnings.SelectMany(w => Regex.Matches((string?)w.Attribute("Condition") ?? "", @"[$@]\(([A-Za-z][A-Za-z0-9_]*)\)").Select(m => m.Groups[1].Value))
            .Where(n => n != "RuntimeIdentifier").ToHashSet(StringComparer.Ordinal);
    }

    [TestMethod]
    public void EveryPropertyOfMicrosoftsTargetsIsHonouredOrWarnedAbout()
    {
        var names = MicrosoftNames();
        Assert.IsTrue(names.Contains("ContainerRepository") && names.Contains("ContainerArchiveOutputPath") && names.Count > 50, "the reading of Microsoft's targets found " + string.Join(", ", names));
        var ours = OurTargets();
        var warned = WarnedNames();
        var unanswered = names
            .Where(n => !ProjectFacts.Contains(n) && !MicrosoftOutputs.Contains(n) && !warned.Contains(n))
            .Where(n => !ours.Contains("$(" + n + ")", StringComparison.Ordinal) && !ours.Contains("@(" + n + ")", StringComparison.Ordinal))
            .ToList();
        Assert.AreEqual("", string.Join(", ", unanswered), "Microsoft.NET.Build.Containers reads these, and Sdk.targets neither honours them nor warns (MSTAGE153) about them");
    }

    [TestMethod]
    [DataRow("ContainerRuntimeIdentifier=linux-arm64", "ContainerRuntimeIdentifier")]
    [DataRow("ContainerPublishInParallel=false", "ContainerPublishInParallel")]
    [DataRow("ContainerGenerateLabelsImageCreated=true", "ContainerGenerateLabelsImageCreated")]
    [DataRow("ContainerBaseImageDigest=sha256:0123", "ContainerBaseImageDigest")]
    public void UnsupportedPropertiesAreWarningsThatNameThem(string property, string name)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", property).EnsureSuccess();
        var line = outcome.Output.Split('\n').FirstOrDefault(l => l.Contains("MSTAGE153", StringComparison.Ordinal));
        Assert.IsNotNull(line, outcome.Output);
        StringAssert.Contains(line, name + " is not supported");
    }

    [TestMethod]
    public void ObsoleteEntrypointItemsAreAWarning()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        workspace.AddToProject("  <ItemGroup>\n    <ContainerEntrypoint Include=\"/app/ConsoleApp\" />\n  </ItemGroup>");
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage").EnsureSuccess();
        StringAssert.Contains(outcome.Output, "MSTAGE153");
        StringAssert.Contains(outcome.Output, "use ContainerAppCommand");
    }

    /// <summary>
    /// Visual Studio's PublishImageTag maps to ContainerImageTag as in Microsoft's targets, and, as there (CONTAINER2008),
    /// ContainerImageTag with ContainerImageTags is an error rather than one silently winning.
    /// </summary>
    [TestMethod]
    [DataRow("PublishImageTag=v1")]
    [DataRow("ContainerImageTag=v1")]
    public void ATagWithATagListIsAnError(string tag)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", tag, "ContainerImageTags=a%3Bb");
        Assert.IsFalse(outcome.Succeeded);
        StringAssert.Contains(outcome.Output, "MSTAGE145");
        Assert.IsFalse(File.Exists(workspace.Dockerfile));
    }
}
