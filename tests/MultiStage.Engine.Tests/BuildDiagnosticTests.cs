using System.Text.Json;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Diagnostics in MSBuild's canonical format (as MSBuild's own CanonicalError reads them) out of build-stage output,
/// whatever engine carried the line.
/// </summary>
[TestClass]
public sealed class BuildDiagnosticTests
{
    [TestMethod]
    public void CompilerErrorWithPositionAndProject()
    {
        var d = BuildDiagnosticParser.Parse("/src/Program.cs(7,26): error CS1002: ; expected [/src/ConsoleApp.csproj]");
        Assert.IsNotNull(d);
        Assert.AreEqual(BuildDiagnosticSeverity.Error, d.Severity);
        Assert.AreEqual("/src/Program.cs", d.File);
        Assert.AreEqual(7, d.Line);
        Assert.AreEqual(26, d.Column);
        Assert.AreEqual("CS1002", d.Code);
        Assert.AreEqual("; expected", d.Message);
        Assert.AreEqual("/src/ConsoleApp.csproj", d.Project);
        Assert.AreEqual("compiler", d.Kind);
    }

    [TestMethod]
    public void NuGetWarningWithoutPosition()
    {
        var d = BuildDiagnosticParser.Parse("/src/App.csproj : warning NU1603: App depends on Humanizer (>= 2.14.0) but Humanizer 2.14.0 was not found. Humanizer 2.14.1 was resolved instead. [/src/App.csproj]");
        Assert.IsNotNull(d);
        Assert.AreEqual(BuildDiagnosticSeverity.Warning, d.Severity);
        Assert.AreEqual("/src/App.csproj", d.File);
        Assert.AreEqual(0, d.Line);
        Assert.AreEqual("NU1603", d.Code);
        Assert.AreEqual("NuGet", d.Kind);
        StringAssert.StartsWith(d.Message, "App depends on Humanizer (>= 2.14.0)");
    }

    [TestMethod]
    public void ToolOriginsAndNoOrigin()
    {
        var msbuild = BuildDiagnosticParser.Parse("MSBUILD : error MSB1009: Project file does not exist.");
        Assert.AreEqual("MSBUILD", msbuild?.File);
        Assert.AreEqual("MSB1009", msbuild?.Code);
        Assert.AreEqual("Project file does not exist.", msbuild?.Message);
        Assert.AreEqual("build", msbuild?.Kind);

        var bare = BuildDiagnosticParser.Parse("error CS2001: Source file '/src/gone.cs' could not be found.");
        Assert.IsNull(bare?.File);
        Assert.AreEqual("CS2001", bare?.Code);
    }

    [TestMethod]
    public void SpacesRangesSubcategoryAndGlobalProperties()
    {
        var d = BuildDiagnosticParser.Parse("  /src/My App/Views/Home.cshtml(3,5,3,9): Razor error RZ1006: The section block is missing a closing \"}\" character. [/src/My App/My App.csproj::TargetFramework=net10.0]");
        Assert.IsNotNull(d);
        Assert.AreEqual("/src/My App/Views/Home.cshtml", d.File);
        Assert.AreEqual((3, 5, 3, 9), (d.Line, d.Column, d.EndLine, d.EndColumn));
        Assert.AreEqual("Razor", d.Subcategory);
        Assert.AreEqual("RZ1006", d.Code);
        Assert.AreEqual("/src/My App/My App.csproj", d.Project, "MSBuild's ::global properties are not part of the path");

        var lineOnly = BuildDiagnosticParser.Parse("/src/a.targets(12): warning MSB4011: imported twice");
        Assert.AreEqual((12, 0), (lineOnly!.Line, lineOnly.Column));
    }

    [TestMethod]
    public void OrdinaryOutputIsNotADiagnostic()
    {
        foreach (var line in new[]
        {
            "Build FAILED.",
            "    1 Warning(s)",
            "    2 Error(s)",
            "  Restored /src/ConsoleApp.csproj (in 1.2 sec).",
            "#12 ERROR: process \"/bin/sh -c dotnet publish\" did not complete successfully: exit code: 1",
            "warning: the app printed this without a code",
            "The command '/bin/sh -c dotnet publish' returned a non-zero code: 1",
            "  error handling is configured in Program.cs",
            "",
        })
        {
            Assert.IsNull(BuildDiagnosticParser.Parse(line), line);
        }
    }

    [TestMethod]
    public void EachDiagnosticOnceInFirstOrderAndErrorsCountedByTool()
    {
        var diagnostics = new BuildDiagnostics();
        var error = "/src/Program.cs(7,26): error CS1002: ; expected [/src/ConsoleApp.csproj]";
        var warning = "/src/ConsoleApp.csproj : warning NU1603: X 1.0.1 was resolved instead. [/src/ConsoleApp.csproj]";
        foreach (var line in new[] { warning, error, "Build FAILED.", warning, error, "/src/Other.cs(1,1): error CS0246: The type 'Foo' could not be found [/src/ConsoleApp.csproj]", "/src/ConsoleApp.csproj : error NU1101: Unable to find package Nope. [/src/ConsoleApp.csproj]" })
        {
            diagnostics.AddLine(line);
        }

        CollectionAssert.AreEqual(new[] { "NU1603", "CS1002", "CS0246", "NU1101" }, diagnostics.All.Select(d => d.Code).ToArray());
        Assert.AreEqual(3, diagnostics.ErrorCount);
        Assert.AreEqual("2 compiler errors and 1 NuGet error", diagnostics.DescribeErrors());
    }

    [TestMethod]
    public void ClassicStepWithCompilerErrorsFailsWithTheCountAndTheDiagnostics()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        void Stream(string text) => parser.FeedLine(JsonSerializer.Serialize(new { stream = text }));
        Stream("Step 9/9 : RUN dotnet publish ConsoleApp.csproj\n");
        Stream(" ---> Running in 0123456789ab\n");
        Stream("/src/Program.cs(7,26): error CS1002: ; expected [/src/ConsoleApp.csproj]\n");
        Stream("\nBuild FAILED.\n\n/src/Program.cs(7,26): error CS1002: ; expected [/src/ConsoleApp.csproj]\n    0 Warning(s)\n    1 Error(s)\n");
        parser.FeedLine("""{"errorDetail":{"code":1,"message":"The command '/bin/sh -c dotnet publish ConsoleApp.csproj' returned a non-zero code: 1"},"error":"The command '/bin/sh -c dotnet publish ConsoleApp.csproj' returned a non-zero code: 1"}""");

        var error = parser.Error;
        Assert.IsNotNull(error);
        Assert.AreEqual(EngineErrorCodes.BuildStageErrors, error.Code);
        Assert.AreEqual(1, error.ExitCode);
        StringAssert.Contains(error.Message, "The build stage failed: 1 compiler error");
        Assert.AreEqual(1, error.Diagnostics.Count, "MSBuild's summary repeats the error");
        Assert.IsFalse(error.Message.Contains("CS1002", StringComparison.Ordinal), "the error is reported at its line, not inside this message");
    }

    [TestMethod]
    public void AFailedStepWithoutDiagnosticsKeepsItsCode()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine(JsonSerializer.Serialize(new { stream = "Step 2/2 : RUN false\n" }));
        parser.FeedLine(JsonSerializer.Serialize(new { stream = "/src/App.csproj : warning NU1603: resolved instead [/src/App.csproj]\n" }));
        parser.FeedLine("""{"errorDetail":{"code":1,"message":"The command '/bin/sh -c false' returned a non-zero code: 1"}}""");
        Assert.AreEqual(EngineErrorCodes.StepFailed, parser.Error?.Code);
        Assert.AreEqual("NU1603", parser.Error!.Diagnostics.Single().Code, "warnings still travel with the error");
    }
}
