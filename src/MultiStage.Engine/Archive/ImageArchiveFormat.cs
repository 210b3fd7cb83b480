using MultiStage.Engine.Client;

namespace MultiStage.Engine.Archive;

/// <summary>What <c>ContainerImageFormat</c> asks an image archive to be (Microsoft.NET.Build.Containers' values).</summary>
public enum ImageArchiveFormat
{
    /// <summary>The engine's own <c>docker save</c> archive: manifest.json, the config, one tar per layer.</summary>
    Docker,

    /// <summary>An OCI image layout (oci-layout, index.json, blobs/sha256/…), converted from the engine's archive.</summary>
    Oci,
}

/// <summary>Reads <c>ContainerImageFormat</c>.</summary>
public static class ImageArchiveFormats
{
    /// <summary>Docker for empty, Docker or OCI (any case); null for any other value.</summary>
    public static ImageArchiveFormat? Parse(string? value) => value?.Trim() switch
    {
        null or "" => ImageArchiveFormat.Docker,
        var v when string.Equals(v, "Docker", StringComparison.OrdinalIgnoreCase) => ImageArchiveFormat.Docker,
        var v when string.Equals(v, "OCI", StringComparison.OrdinalIgnoreCase) => ImageArchiveFormat.Oci,
        _ => null,
    };

    /// <summary>The format <paramref name="value"/> names.</summary>
    /// <exception cref="EngineException">MSTAGE241 when it names none.</exception>
    public static ImageArchiveFormat Read(string? value) => Parse(value) ?? throw new EngineException(
        EngineErrorCodes.InvalidImageFormat,
        $"ContainerImageFormat is '{ImageArchivePath.Shown(value!)}', which is no image format: use Docker (the archive docker save writes) or OCI (an OCI image layout), or leave it empty.");
}
