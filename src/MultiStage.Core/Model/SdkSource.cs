namespace MultiStage.Model;

/// <summary>Where the build stage gets this SDK package from.</summary>
public enum SdkSource
{
    /// <summary>Vendored: the generator copies the running package into the build context.</summary>
    Context,

    /// <summary>Restored from the user's NuGet feeds inside the build.</summary>
    Feed,
}
