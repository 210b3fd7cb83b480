namespace MultiStage.Model;

/// <summary>How the app's command lands in the image, as ContainerAppCommandInstruction of Microsoft.NET.Build.Containers.</summary>
public enum AppCommandInstruction
{
    /// <summary>ENTRYPOINT the command; the default arguments become CMD.</summary>
    Entrypoint,

    /// <summary>CMD the command followed by the default arguments: easy to replace at docker run.</summary>
    DefaultArgs,

    /// <summary>Neither: the base image's own entrypoint and command stay.</summary>
    None,
}
