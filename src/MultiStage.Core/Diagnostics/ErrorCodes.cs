namespace MultiStage.Diagnostics;

/// <summary>
/// Every code the generator reports. Each is documented in docs/errors.md; a unit test keeps the two in step
/// and the codes unique. A code's number mostly says its severity: MSTAGE101–MSTAGE149 are errors, MSTAGE150–MSTAGE199
/// warnings, except the errors MSTAGE155–MSTAGE157, given after the error range was spent (the engine client's
/// MSTAGE2xx and MSTAGE3xx are in docs/errors-engine.md).
/// </summary>
public static class ErrorCodes
{
    public const string InvalidBaseImage = "MSTAGE101";
    public const string InvalidImageTag = "MSTAGE102";
    public const string InvalidRepository = "MSTAGE103";
    public const string InvalidPort = "MSTAGE104";
    public const string UnknownFamily = "MSTAGE105";
    public const string NoTargetFramework = "MSTAGE106";
    public const string NotAnApplication = "MSTAGE107";
    public const string UnrepresentableValue = "MSTAGE108";
    public const string InvalidEnvironmentVariable = "MSTAGE109";
    public const string InvalidLabel = "MSTAGE110";
    public const string InvalidUser = "MSTAGE111";
    public const string UnsupportedRuntimeIdentifier = "MSTAGE112";
    public const string DockerfileOutOfDate = "MSTAGE113";
    public const string OutsideContext = "MSTAGE114";
    public const string SdkPackageNotFound = "MSTAGE115";
    public const string InvalidAppCommandInstruction = "MSTAGE116";
    public const string UnsupportedTargetFramework = "MSTAGE117";
    public const string InvalidSwitchValue = "MSTAGE118";
    public const string InvalidSdkImage = "MSTAGE119";
    public const string InvalidBaseImageRegistry = "MSTAGE120";
    public const string WriteFailed = "MSTAGE121";
    public const string InvalidWorkingDirectory = "MSTAGE122";
    public const string ProjectEvaluationFailed = "MSTAGE123";
    public const string InvalidMaxCpuCount = "MSTAGE124";
    public const string InvalidLayers = "MSTAGE125";
    /// <summary>Image building asked for under an MSBuild that cannot run the engine client (raised by Sdk.targets).</summary>
    public const string EngineUnavailableInThisMSBuild = "MSTAGE126";
    public const string UnmatchablePath = "MSTAGE127";
    /// <summary>The Dockerfile path holds a file without the generator's header: the user's, never overwritten unasked.</summary>
    public const string DockerfileNotGenerated = "MSTAGE128";
    /// <summary>The context's .multistage folder exists without the generator's marker: the user's, never written into.</summary>
    public const string StateFolderNotGenerated = "MSTAGE129";
    /// <summary>MultiStageDockerfile is a folder, an item list, outside the build context, or holds a control character.</summary>
    public const string InvalidDockerfilePath = "MSTAGE130";
    /// <summary>MultiStageContextRoot is a file-system root, outside the repository, or holds a control character.</summary>
    public const string InvalidContextRoot = "MSTAGE131";
    /// <summary>A MultiStageDockerIgnore item the .dockerignore cannot carry as one pattern, or one that does not compile.</summary>
    public const string InvalidDockerIgnorePattern = "MSTAGE132";
    /// <summary>The entry project's path holds a character the build stage's dotnet command line cannot pass to MSBuild.</summary>
    public const string UnbuildableProjectPath = "MSTAGE133";
    /// <summary>The Dockerfile path holds the generated Dockerfile of another project of the same build context.</summary>
    public const string DockerfileOfAnotherProject = "MSTAGE134";
    public const string NuGetConfigUnreadable = "MSTAGE140";
    public const string NuGetCredentialsNeedBuildKit = "MSTAGE141";
    /// <summary>A user-owned .dockerignore lets a NuGet.config holding secrets into the build context.</summary>
    public const string NuGetConfigInContext = "MSTAGE142";
    /// <summary>ContainerAppCommand runs a shell (or env), which a chiseled or distroless runtime image does not have.</summary>
    public const string ShellNotInImage = "MSTAGE143";
    /// <summary>ContainerUser names a user or group that a chiseled or distroless runtime image does not have.</summary>
    public const string UserNotInImage = "MSTAGE144";
    /// <summary>Both ContainerImageTag and ContainerImageTags are set (Microsoft.NET.Build.Containers: CONTAINER2008).</summary>
    public const string BothImageTagProperties = "MSTAGE145";
    /// <summary>An entry of the ContainerEnvironmentVariables property is not NAME=value (raised by Sdk.targets).</summary>
    public const string InvalidEnvironmentAssignment = "MSTAGE146";
    /// <summary>A ContainerHealthCheck* value is not valid (a duration, the retry count, options without a command).</summary>
    public const string InvalidHealthCheck = "MSTAGE147";
    /// <summary>ContainerPackage items on a runtime image without a package manager (chiseled, distroless).</summary>
    public const string NoPackageManager = "MSTAGE148";
    /// <summary>ContainerPackage items on a ContainerBaseImage whose package manager its name does not tell, and no ContainerFamily.</summary>
    public const string UnknownPackageManager = "MSTAGE155";
    /// <summary>A ContainerPackage name or Version the package manager cannot take as one package.</summary>
    public const string InvalidPackage = "MSTAGE156";
    /// <summary>A ContainerFile or ContainerWritableDirectory item that cannot be copied (missing file, relative path, bad Mode).</summary>
    public const string InvalidContainerFile = "MSTAGE157";

    /// <summary>Warning: a user-owned .dockerignore excludes a file the build stage copies.</summary>
    public const string DockerIgnoreExcludesInput = "MSTAGE151";

    /// <summary>Warning (raised by Sdk.targets): a property of Microsoft.NET.Build.Containers this SDK does not implement, with what to use instead.</summary>
    public const string MicrosoftPropertyNotSupported = "MSTAGE153";

    /// <summary>Warning: ContainerRepository was made a valid repository name, as Microsoft.NET.Build.Containers does.</summary>
    public const string RepositoryNormalized = "MSTAGE154";

    /// <summary>Warning (raised by Sdk.targets): ContainerArchiveOutputPath without MultiStageBuildImage=true, which saves the archive.</summary>
    public const string ArchiveNeedsImageBuild = "MSTAGE158";
    /// <summary>An entry of ContainerRuntimeIdentifiers has no Linux image platform, or two name the same platform.</summary>
    public const string InvalidContainerRuntimeIdentifier = "MSTAGE159";

    /// <summary>ContainerRuntimeIdentifiers with a setting that builds one platform only (raised by Sdk.targets).</summary>
    public const string MultiPlatformConflict = "MSTAGE160";

    /// <summary>Warning: a package source restore uses on the host cannot be reached from the build stage.</summary>
    public const string UnreachableNuGetSource = "MSTAGE170";

    /// <summary>Warning: a feed's only credential is a DPAPI-encrypted Password, which a Linux build stage cannot decrypt.</summary>
    public const string EncryptedNuGetPassword = "MSTAGE171";

    /// <summary>Warning: a file the build reads (named by an item or a property, or an .editorconfig above) lies outside the repository.</summary>
    public const string ReadOutsideRepository = "MSTAGE177";

    /// <summary>Warning: applications sharing one generated .dockerignore differ in their MultiStageDockerIgnore items.</summary>
    public const string SharedDockerIgnoreDiffers = "MSTAGE178";

    /// <summary>Warning: a NuGet.config secret other than source credentials is left out of the build stage.</summary>
    public const string NuGetSecretLeftOut = "MSTAGE172";
}
