using System.Text.Json;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Advice by cause, from the texts engines send (Docker 20.10's classic builder and BuildKit, Podman 4.3's Buildah):
/// each cause gets its own code and fix; a failure with no recognised cause keeps the generic one.
/// </summary>
[TestClass]
public sealed class ClientFailureCauseTests
{
    private static EngineException Fail(string builder, params string[] streamLines)
    {
        var parser = new BuildOutputParser(new TestLog(), builder == "buildkit" ? new BuildKitProgress() : null, buildah: builder == "buildah");
        foreach (var line in streamLines.SkipLast(1))
        {
            parser.FeedLine(JsonSerializer.Serialize(new { stream = line + "\n" }));
        }

        parser.FeedLine(JsonSerializer.Serialize(new { errorDetail = new { message = streamLines[^1] }, error = streamLines[^1] }));
        parser.Complete();
        return parser.Error ?? throw new AssertFailedException("no error");
    }

    [TestMethod]
    public void NoBridgeNetworkAdvisesTheHostNetwork()
    {
        // Docker 20.10 started with --bridge=none, classic builder, a RUN step on the default network.
        var error = Fail("classic", "Step 1/2 : FROM base", " ---> 5c05d807edf8", "Step 2/2 : RUN true", "network bridge not found");
        Assert.AreEqual(EngineErrorCodes.BuildNetworkUnavailable, error.Code);
        StringAssert.Contains(error.Message, "MultiStageBuildNetwork=host");
        StringAssert.Contains(error.Message, "network bridge not found");
    }

    [TestMethod]
    public void NuGetWithoutNetworkIsANetworkFailureNotABuildError()
    {
        var error = Fail(
            "buildah",
            "[1/2] STEP 5/9: RUN dotnet restore App.csproj",
            "/src/App.csproj : error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json.",
            "building at STEP \"RUN dotnet restore App.csproj\": while running runtime: exit status 1");
        Assert.AreEqual(EngineErrorCodes.BuildNetworkUnavailable, error.Code);
        Assert.AreEqual(1, error.ExitCode);
        StringAssert.Contains(error.Message, "NU1301");
    }

    [TestMethod]
    public void DiskFullHasItsOwnCode()
    {
        var error = Fail("buildkit", "failed to copy files: copy file range failed: write /var/lib/docker/overlay2/x/diff/app.dll: no space left on device");
        Assert.AreEqual(EngineErrorCodes.BuildDiskFull, error.Code);
        StringAssert.Contains(error.Message, "prune");
    }

    [TestMethod]
    public void ABaseImageThatNeedsALoginIsAnAuthenticationFailure()
    {
        var error = Fail("buildkit", "failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to authorize: rpc error: code = Unknown desc = failed to fetch anonymous token: unexpected status: 401 Unauthorized");
        Assert.AreEqual(EngineErrorCodes.BaseImageUnauthorized, error.Code);
        StringAssert.Contains(error.Message, "docker login");
    }

    [TestMethod]
    public void AMissingBaseImageStaysABaseImageFailure()
    {
        var error = Fail("buildah", "[1/2] STEP 1/3: FROM 127.0.0.1:5000/nope:1 AS build", "creating build container: initializing source docker://127.0.0.1:5000/nope:1: reading manifest 1 in 127.0.0.1:5000/nope: manifest unknown: manifest unknown");
        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, error.Code);
    }

    [TestMethod]
    public void APlatformMismatchAdvisesThePlatformProperty()
    {
        var classic = Fail("classic", "Step 1/2 : FROM base", "no matching manifest for linux/arm64/v8 in the manifest list entries");
        Assert.AreEqual(EngineErrorCodes.BuildPlatformMismatch, classic.Code);
        StringAssert.Contains(classic.Message, "MultiStagePlatform");
        var run = Fail("classic", "Step 1/2 : FROM base", " ---> 5c05d807edf8", "Step 2/2 : RUN ./tool", "\u001b[91mexec /tool: exec format error\n\u001b[0m", "The command '/bin/sh -c ./tool' returned a non-zero code: 1");
        Assert.AreEqual(EngineErrorCodes.BuildPlatformMismatch, run.Code);
        Assert.AreEqual(1, run.ExitCode);
    }

    [TestMethod]
    public void CompilerErrorsAreListedOnceEach()
    {
        var error = Fail(
            "classic",
            "Step 5/5 : RUN dotnet publish App.csproj",
            " ---> Running in f0d4b511f26d",
            "/src/Program.cs(7,35): error CS1002: ; expected [/src/App.csproj]",
            "Build FAILED.",
            "/src/Program.cs(7,35): error CS1002: ; expected [/src/App.csproj]",
            "    0 Warning(s)",
            "The command '/bin/sh -c dotnet publish App.csproj' returned a non-zero code: 1");
        // Parsed as MSBuild diagnostics (MSTAGE233): each error once, though MSBuild prints it twice.
        Assert.AreEqual(EngineErrorCodes.BuildStageErrors, error.Code, error.Message);
        Assert.AreEqual(1, error.Diagnostics.Count(d => d.Code == "CS1002"), error.Message);
        Assert.AreEqual(1, error.ExitCode);
        Assert.AreEqual("Step 5/5 : RUN dotnet publish App.csproj", error.Step);
    }

    [TestMethod]
    public void CompilerErrorsOfTheStepAreReadAsTheParserReadsThem()
    {
        // A Razor error (RZ…) is a diagnostic too, and MSBuild's summary repeats an error with the target framework
        // appended to the project: one error, listed once, at its source line.
        var step = new EngineException(EngineErrorCodes.StepFailed, "The Dockerfile step 'RUN dotnet publish' failed with exit code 1.")
        {
            Step = "RUN dotnet publish",
            ExitCode = 1,
            LastOutputLines =
            [
                "/src/Pages/Index.razor(3,1): error RZ10012: Found markup element with unexpected name 'Counterr'. [/src/App.csproj]",
                "Build FAILED.",
                "/src/Pages/Index.razor(3,1): error RZ10012: Found markup element with unexpected name 'Counterr'. [/src/App.csproj::TargetFramework=net10.0]",
            ],
        };

        var refined = FailureCauses.Refine(step, "process \"/bin/sh -c dotnet publish\" did not complete successfully: exit code: 1");

        Assert.AreEqual(EngineErrorCodes.BuildStageCompileFailed, refined.Code, refined.Message);
        StringAssert.Contains(refined.Message, "failed with a build error ('RUN dotnet publish'):\n    /src/Pages/Index.razor(3,1): error RZ10012: Found markup element");
        Assert.AreEqual(1, refined.Message.Split("RZ10012").Length - 1, refined.Message);
    }

    [TestMethod]
    public void AFailureWithoutAKnownCauseKeepsItsCode()
    {
        var error = Fail("classic", "Step 1/2 : FROM base", " ---> 5c05d807edf8", "Step 2/2 : RUN false", "The command '/bin/sh -c false' returned a non-zero code: 1");
        Assert.AreEqual(EngineErrorCodes.StepFailed, error.Code);
    }
}
