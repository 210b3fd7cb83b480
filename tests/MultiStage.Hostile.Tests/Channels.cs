using MultiStage.Diagnostics;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>The channel table: every task parameter a user value reaches, and the rule for each kind of hostile value.</summary>
internal static partial class Channels
{
    private const string Gen = "GenerateDockerfile";
    private const string Build = "BuildImage";

    public static IReadOnlyList<Channel> All { get; } = new[]
    {
        // The project's facts, as MSBuild evaluated them (a user sets them in the project file).
        Facts("ProjectPath", "$(MSBuildProjectFullPath)") with { Why = "the path of the evaluated project: the file name is the user's, and is tried through the copy paths of tests/MultiStage.Core.Tests/CopySourceTests.cs" },
        Facts("AssemblyName", "$(AssemblyName)") with { Benign = "Plain", Set = (i, v) => i with { Project = i.Project with { AssemblyName = v } } },
        Facts("TargetFileName", "$(TargetFileName)") with
        {
            Set = (i, v) => i with { Project = i.Project with { TargetFileName = v } },
            Benign = "App.dll",
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Contained),
            Carries = (g, v) => Final(g, "ENTRYPOINT").Json() is { } args && args.Contains("/app/" + v),
        },
        Facts("TargetFramework", "$(TargetFramework)") with { Benign = "net10.0", Set = (i, v) => i with { Project = i.Project with { TargetFramework = v } } },
        Facts("TargetFrameworks", "$(TargetFrameworks)") with { Benign = "net8.0;net10.0", Set = (i, v) => i with { Project = i.Project with { TargetFrameworks = v } } },
        Facts("TargetFrameworkIdentifier", "$(TargetFrameworkIdentifier)") with { Benign = ".NETCoreApp", Set = (i, v) => i with { Project = i.Project with { TargetFrameworkIdentifier = v } } },
        Facts("TargetFrameworkVersion", "$(TargetFrameworkVersion)") with { Benign = "9.0", Set = (i, v) => i with { Project = i.Project with { TargetFrameworkVersion = v } } },
        Facts("OutputType", "$(OutputType)") with
        {
            Set = (i, v) => i with { Project = i.Project with { OutputType = v } },
            Benign = "WinExe",
            Expect = _ => Expected.Refused(ErrorCodes.NotAnApplication),
        },
        Facts("RuntimeIdentifier", "$(RuntimeIdentifier)") with { Benign = "linux-x64", Set = (i, v) => i with { Project = i.Project with { RuntimeIdentifier = v } } },
        Facts("RuntimeIdentifiers", "$(RuntimeIdentifiers)") with { Benign = "linux-x64", Set = (i, v) => i with { Project = i.Project with { RuntimeIdentifiers = new[] { v } } } },
        Facts("DotNetSdkVersion", "$(NETCoreSdkVersion)") with { Benign = "10.0.100", Set = (i, v) => i with { Project = i.Project with { SdkVersion = v } } },
        Facts("FrameworkReferences", "@(FrameworkReference)") with { Benign = "Microsoft.NETCore.App", Set = (i, v) => i with { Project = i.Project with { FrameworkReferences = new[] { v } } } },
        Typed(Gen, "IsPublishable"), Typed(Gen, "SelfContained"), Typed(Gen, "PublishAot"), Typed(Gen, "PublishTrimmed"), Typed(Gen, "InvariantGlobalization"), Typed(Gen, "CheckOnly"),
        Typed(Gen, "BaseNameLabel"), Typed(Gen, "BaseDigestLabel"),

        // The image's name.
        new Channel(Gen, "ContainerRepository", "$(ContainerRepository)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerRepository = v }),
            Benign = "plain/app",
            // A repository name: lowercase components of at most 255 characters in all, so none of the hostile values
            // as written. Like Microsoft.NET.Build.Containers, a name is lowercased with other characters made '-'
            // (warning MSTAGE154), so some are accepted under another name: refused or contained, never exact.
            Expect = v => v.Hazards.HasFlag(Hazard.Empty) ? Expected.Unset : Expected.Contained,
            Carries = (g, v) => g.Result.Repository == v,
        },
        new Channel(Gen, "ContainerImageTag", "$(ContainerImageTag)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerImageTag = v }),
            Expect = TagRule,
            Carries = CarriesTags,
        },
        new Channel(Gen, "ContainerImageTags", "$(ContainerImageTags)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerImageTags = v }),
            Expect = TagRule,
            Carries = CarriesTags,
        },
        new Channel(Gen, "ContainerRegistry", "$(ContainerRegistry)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerRegistry = v }),
            // Only the push reads it (BuildImage.Registry).
            Expect = _ => Expected.Inert,
        },
        new Channel(Gen, "ContainerFamily", "$(ContainerFamily)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerFamily = v }),
            Benign = "noble-chiseled",
            Expect = RefusesAllBut(_ => false, ErrorCodes.UnknownFamily),
        },
        ImageChannel("ContainerBaseImage", "$(ContainerBaseImage)", (s, v) => s with { ContainerBaseImage = v }, ErrorCodes.InvalidBaseImage),
        ImageChannel("SdkImage", "$(MultiStageSdkImage)", (s, v) => s with { SdkImage = v }, ErrorCodes.InvalidSdkImage),
        new Channel(Gen, "BaseImageRegistry", "$(MultiStageBaseImageRegistry)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { BaseImageRegistry = v }),
            Benign = "mirror.example",
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidBaseImageRegistry),
        },

        // The runtime stage's configuration: values that must arrive exactly.
        new Channel(Gen, "ContainerUser", "$(ContainerUser)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContainerUser = v }),
            Benign = "app",
            // A user name or uid, optionally :group: of the hostile values only the long name is one, and the default
            // (chiseled) runtime image has no such user (MSTAGE144).
            Expect = v => v.Name == "long" ? Expected.Refused(ErrorCodes.UserNotInImage) : RefusesAllBut(_ => false, ErrorCodes.InvalidUser)(v),
            Carries = (g, v) => Final(g, "USER").Words() is [var user] && user == v,
        },
        new Channel(Gen, "ContainerWorkingDirectory", "$(ContainerWorkingDirectory), each value under /app/", ChannelKind.Generation)
        {
            // Under /app/, so that each hazard is tried in an absolute path (a relative one is refused first).
            Set = (i, v) => With(i, s => s with { ContainerWorkingDirectory = "/app/" + v }),
            Benign = "plain",
            // The engine cannot create a folder name over 255 bytes (MSTAGE122, docs/errors.md): the long value is one.
            Expect = v => v.Hazards.HasFlag(Hazard.Long) ? Expected.Refused(ErrorCodes.InvalidWorkingDirectory)
                : CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact)(v),
            Carries = (g, v) => Final(g, "WORKDIR").Words() is [var dir] && dir == "/app/" + v,
        },
        new Channel(Gen, "ContainerPorts", "@(ContainerPort)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Ports = new[] { new PortItem(v, "") } }),
            Benign = "5000",
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidPort, emptyIsUnset: false),
        },
        new Channel(Gen, "ContainerPorts%Type", "@(ContainerPort) Type metadata", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Ports = new[] { new PortItem("5000", v) } }),
            Benign = "udp",
            // Empty Type means tcp.
            Expect = v => v.Name == "empty" ? Expected.Contained : Expected.Refused(ErrorCodes.InvalidPort),
        },
        new Channel(Gen, "ContainerEnvironmentVariables", "@(ContainerEnvironmentVariable) Include", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { EnvironmentVariables = new[] { Pair(v, "v") } }),
            Benign = "PLAIN",
            // A variable name: letters, digits, '_', '.', ':', '-', not starting with a digit; of the hostile values only the long name is one.
            Expect = RefusesAllBut(v => v.Name == "long", ErrorCodes.InvalidEnvironmentVariable, emptyIsUnset: false),
            Carries = (g, v) => FinalAll(g, "ENV").Any(e => e.Pairs()?.Contains(Pair(v, "v")) == true),
        },
        new Channel(Gen, "ContainerEnvironmentVariables%Value", "@(ContainerEnvironmentVariable) Value metadata", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { EnvironmentVariables = new[] { Pair("HOSTILE", v) } }),
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact),
            Carries = (g, v) => FinalAll(g, "ENV").Any(e => e.Pairs()?.Contains(Pair("HOSTILE", v)) == true),
        },
        new Channel(Gen, "ContainerLabels", "@(ContainerLabel) Include", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Labels = new[] { Pair(v, "v") } }),
            Benign = "org.plain",
            Expect = v => v.Hazards.HasFlag(Hazard.Empty) || (v.Hazards & (Unrepresentable | Hazard.Space)) != 0
                ? Expected.Refused(ErrorCodes.InvalidLabel)
                : v.Text.Contains('=') ? Expected.Refused(ErrorCodes.InvalidLabel) : Expected.Exact,
            Carries = (g, v) => FinalAll(g, "LABEL").Any(e => e.Pairs()?.Contains(Pair(v, "v")) == true),
        },
        new Channel(Gen, "ContainerLabels%Value", "@(ContainerLabel) Value metadata", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Labels = new[] { Pair("org.hostile", v) } }),
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact),
            Carries = (g, v) => FinalAll(g, "LABEL").Any(e => e.Pairs()?.Contains(Pair("org.hostile", v)) == true),
        },
        new Channel(Gen, "ContainerLabels%BuildArg", "_MultiStageLabel BuildArg metadata (the source-revision label)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { LabelsFromBuildArgs = new[] { Pair("org.hostile", v) } }),
            Benign = "PLAIN_ARG",
            // The Sdk sets it (SOURCE_REVISION); a build argument's name is a variable name.
            Expect = RefusesAllBut(v => v.Name is "long", ErrorCodes.InvalidLabel, emptyIsUnset: false),
            Carries = (g, v) => FinalAll(g, "ARG").Any(a => a.Arguments == v),
        },
        CommandChannel("AppCommand", "@(ContainerAppCommand)", (s, v) => s with { AppCommand = new[] { v } }, "ENTRYPOINT"),
        CommandChannel("AppCommandArgs", "@(ContainerAppCommandArgs)", (s, v) => s with { AppCommandArgs = new[] { v } }, "ENTRYPOINT"),
        CommandChannel("DefaultArgs", "@(ContainerDefaultArgs)", (s, v) => s with { DefaultArgs = new[] { v } }, "CMD"),
        new Channel(Gen, "AppCommandInstruction", "$(ContainerAppCommandInstruction)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { AppCommandInstruction = v }),
            Benign = "DefaultArgs",
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidAppCommandInstruction),
        },

        // The health check: the command in exec form, the options checked words.
        new Channel(Gen, "HealthCheck", "@(ContainerHealthCheck)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { HealthCheck = new[] { "/app/App", v } }),
            Benign = "--health",
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact),
            Carries = (g, v) => HealthCommand(Final(g, "HEALTHCHECK")) is [var app, var arg] && app == "/app/App" && arg == v,
        },
        HealthOption("HealthCheckInterval", "$(ContainerHealthCheckInterval)", (s, v) => s with { HealthCheckInterval = v }, "30s"),
        HealthOption("HealthCheckTimeout", "$(ContainerHealthCheckTimeout)", (s, v) => s with { HealthCheckTimeout = v }, "3s"),
        HealthOption("HealthCheckStartPeriod", "$(ContainerHealthCheckStartPeriod)", (s, v) => s with { HealthCheckStartPeriod = v }, "1m30s"),
        HealthOption("HealthCheckRetries", "$(ContainerHealthCheckRetries)", (s, v) => s with { HealthCheckRetries = v }, "3"),

        // The build stage.
        new Channel(Gen, "Configuration", "$(MultiStageConfiguration)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { Configuration = v }),
            Benign = "Plain",
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Unset),
            Carries = (g, v) => RunWords(g).Any(w => w.Zip(w.Skip(1)).Contains(("-c", v))),
        },
        new Channel(Gen, "PublishArguments", "@(MultiStagePublishArgument)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { PublishArguments = new[] { v } }),
            Benign = "-p:Plain=1",
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact),
            Carries = (g, v) => RunWords(g).Any(w => w.Contains("publish") && w.Contains(v)),
        },
        new Channel(Gen, "ContextRoot", "$(MultiStageContextRoot)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { ContextRoot = v }),
            Benign = "../..",
            IsPath = true,
        },
        new Channel(Gen, "DockerfilePath", "$(MultiStageDockerfile)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { DockerfilePath = v }),
            Benign = "plain.Dockerfile",
            IsPath = true,
        },
        SwitchChannel("SdkSource", "$(MultiStageSdkSource)", "Feed", (s, v) => s with { SdkSource = v }),
        SwitchChannel("Builder", "$(MultiStageBuilder)", "Classic", (s, v) => s with { Builder = v }),
        new Channel(Gen, "CacheMounts", "$(MultiStageCacheMounts)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { CacheMounts = v }),
            // A switch only 'false' turns off.
            Expect = _ => Expected.Inert,
        },
        new Channel(Gen, "MaxCpuCount", "$(MultiStageMaxCpuCount)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { MaxCpuCount = v }),
            Benign = "2",
            Expect = v => v.Name is "empty" or "whitespace-only" ? Expected.Unset : Expected.Refused(ErrorCodes.InvalidMaxCpuCount),
        },
        new Channel(Gen, "DockerIgnorePatterns", "@(MultiStageDockerIgnore)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { DockerIgnorePatterns = new[] { v } }),
            Benign = "plain/",
            // Each item is trimmed, as Docker trims each line, so only what is left is the pattern: whitespace-only is
            // none; a line break or control character left in it would make two lines or an unreadable one; a leading
            // '#' is a comment to the builders; an unclosed '[' or a trailing '\' is no pattern (MSTAGE132, docs/errors.md).
            Expect = v => v.Text.Trim() is var p && p.Length == 0 ? Expected.Unset
                : p.Any(IsLineBreakOrControl) || p.StartsWith('#') || p.EndsWith('\\') || p.LastIndexOf('[') > p.LastIndexOf(']')
                    ? Expected.Refused(ErrorCodes.InvalidDockerIgnorePattern)
                    : Expected.Exact,
            // Docker trims each line of a .dockerignore, so a trimmed pattern is the same pattern.
            Carries = (g, v) => v.Trim().Length > 0 && g.Result.DockerIgnoreText?.Split('\n').Contains(v.Trim()) == true,
        },
        new Channel(Gen, "OverwriteDockerfile", "$(MultiStageOverwriteDockerfile)", ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => s with { OverwriteDockerfile = v }),
            Benign = "false",
            // A switch only 'true' turns on: every other text leaves the user's Dockerfile alone.
            Expect = _ => Expected.Inert,
        },
        Internal(Gen, "SdkPackageDirectory", "$(_MultiStageSdkPackageRoot): the folder NuGet restored the SDK into"),
        Internal(Gen, "ExternalRoots", "@(_MultiStageExternalRoot): the SDK's and NuGet's own folders"),
        new Channel(Gen, "BuildNetwork", "$(MultiStageBuildNetwork)", ChannelKind.Engine) { Why = "compared with 'host' to silence MSTAGE170 for loopback feeds; never written into the Dockerfile (the image build's NetworkMode channel tries the values)" },
        Internal(Gen, "InnerLoopDirectory", "$(_MultiStageInnerLoopDirectory): under obj/"),
        Internal(Gen, "ClosureCacheFile", "$(_MultiStageClosureCacheFile): under obj/"),
        Internal(Gen, "GenerationStampFile", "$(_MultiStageGenerationStampFile): under obj/"),
        Internal(Gen, "ClassicDockerfilePath", "$(_MultiStageClassicDockerfile): under obj/, the classic builder's rendering"),

        // The image build.
        Internal(Build, "ContextRoot", "GenerateDockerfile's GeneratedContextRoot"),
        Internal(Build, "Dockerfile", "GenerateDockerfile's GeneratedDockerfile"),
        Internal(Build, "Repository", "GenerateDockerfile's ImageRepository (checked there)"),
        Internal(Build, "Tags", "GenerateDockerfile's ImageTags (checked there)"),
        Internal(Build, "BaseImages", "GenerateDockerfile's BaseImages"),
        Internal(Build, "DependencyImage", "GenerateDockerfile's DependencyImage"),
        Internal(Build, "DependencyDockerfile", "GenerateDockerfile's DependencyDockerfile"),
        Internal(Build, "ClassicDockerfile", "$(_MultiStageClassicDockerfile): the rendering generation wrote under obj/"),
        Internal(Build, "ProjectFile", "$(MSBuildProjectFullPath): names the summary line, never sent"),
        Internal(Build, "NuGetProjectDirectory", "$(_MultiStageNuGetProjectDirectory): the entry project's folder, where the NuGet.config chain starts"),
        Typed(Build, "NoCache"), Typed(Build, "Pull"),
        SwitchChannel("Builder", "$(MultiStageBuilder), read again by the image build with the same check", "Classic", (s, v) => s with { Builder = v }) with { Task = Build },
        EngineChannel("Registry", "$(ContainerRegistry): the push's target"),
        EngineChannel("EngineEndpoint", "$(MultiStageDockerHost): parsed here, tried by EngineParameterTests"),
        EngineChannel("LocalRegistry", "$(LocalRegistry): read here (Docker, Podman or empty), tried by EngineParameterTests"),
        EngineChannel("NetworkMode", "$(MultiStageBuildNetwork): tried by EngineRequestTests"),
        EngineChannel("Platform", "$(MultiStagePlatform): tried by EngineRequestTests"),
        EngineChannel("RuntimeIdentifiers", "$(ContainerRuntimeIdentifiers): each value must name a Linux platform (MSTAGE159), tried by ContainerPlatformTests; the engine gets only the platform made of it"),
        EngineChannel("TargetStage", "$(MultiStageBuildTarget): tried by EngineRequestTests"),
        EngineChannel("ContextSizeWarning", "$(MultiStageContextSizeWarning): read on this machine, tried by EngineParameterTests"),
        EngineChannel("BuildArgs", "@(MultiStageBuildArg) Include: tried by EngineRequestTests"),
        EngineChannel("CacheFrom", "$(MultiStageCacheFrom): each ';'-separated value must be an image reference (MSTAGE224), tried by ClientBuildCacheTests"),
        EngineChannel("CacheTo", "$(MultiStageCacheTo): 'inline' or MSTAGE225, tried by ClientBuildCacheTests"),
        Typed(Build, "BuildStageCache"),
        EngineChannel("BuildStageCacheTag", "$(MultiStageBuildStageCacheTag): must be an image tag (MSTAGE251) other than the image's (MSTAGE250), tried by BuildStageCacheTests"),
        new Channel(Build, "ArchiveOutputPath", "$(ContainerArchiveOutputPath)", ChannelKind.Engine) { Why = "a file path on this machine, resolved by ImageArchivePath (a NUL is MSTAGE243), never written into the Dockerfile or sent to the engine" },
        new Channel(Build, "ImageFormat", "$(ContainerImageFormat)", ChannelKind.Engine) { Why = "compared with Docker and OCI (anything else is MSTAGE241, tried by EngineParameterTests), never written into the Dockerfile or sent to the engine" },
        EngineChannel("BuildArgs%Value", "@(MultiStageBuildArg) Value metadata: tried by the engine layer through a label that takes a build argument"),
    }.Concat(RuntimeAdditions()).ToList();

    public static IEnumerable<Channel> Generation => All.Where(c => c.Kind == ChannelKind.Generation && c.Set is not null);
}
