namespace MultiStage.Model;

/// <summary>Names the generator, the tasks and the engine client must agree on, each spelled once.</summary>
public static class WellKnownNames
{
    public const string Dockerfile = "Dockerfile";

    public const string DockerIgnore = ".dockerignore";

    /// <summary>The folder of the build context holding what the generator adds to it (the vendored SDK package).</summary>
    public const string StateFolder = ".multistage";

    /// <summary>
    /// The name projects give this SDK in &lt;Sdk Name="…" /&gt;, as MSBuild looks it up in an Sdks folder; NuGet
    /// keeps the package in a folder of the same name in lowercase.
    /// </summary>
    public const string SdkName = "MultiStage.Sdk";

    /// <summary>The NuGet package id of this SDK as NuGet's folders spell it.</summary>
    public static string SdkPackageFolder => SdkName.ToLowerInvariant();
}
