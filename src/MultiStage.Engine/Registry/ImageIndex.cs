using System.Text;
using System.Text.Json;
using MultiStage.Inference;

namespace MultiStage.Engine.Registry;

/// <summary>A manifest as the registry stores it: what a HEAD request answers and an index entry names.</summary>
/// <param name="MediaType">The manifest's media type (Content-Type).</param>
/// <param name="Digest">"sha256:…" (Docker-Content-Digest).</param>
/// <param name="Size">Bytes of the manifest (Content-Length).</param>
public sealed record ManifestDescriptor(string MediaType, string Digest, long Size);

/// <summary>
/// The document that names one image manifest per platform under one tag. Its kind follows its manifests: Docker's
/// manifest list over Docker v2 manifests (what Docker 20.10 pushes, and what Microsoft.NET.Build.Containers and
/// <c>docker manifest create</c> write over them), an OCI image index over OCI manifests (what Podman pushes), so no
/// client meets an index of one family naming manifests of the other. Serialized the same way every time.
/// </summary>
public static class ImageIndex
{
    public const string OciIndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string OciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifestListMediaType = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>The manifest types a registry may answer for a platform image, best first (the Accept header).</summary>
    public static readonly IReadOnlyList<string> ImageManifestTypes = [OciManifestMediaType, DockerManifestMediaType];

    /// <summary>Every manifest type, index kinds included (for reading an index back).</summary>
    public static readonly IReadOnlyList<string> AllManifestTypes = [OciIndexMediaType, DockerManifestListMediaType, OciManifestMediaType, DockerManifestMediaType];

    /// <summary>The index media type for these manifests: Docker's list when all are Docker v2 manifests, else OCI's.</summary>
    public static string MediaTypeFor(IEnumerable<ManifestDescriptor> manifests) =>
        manifests.All(m => m.MediaType == DockerManifestMediaType) ? DockerManifestListMediaType : OciIndexMediaType;

    /// <summary>The index document, in the order given, as UTF-8 JSON without a byte order mark.</summary>
    public static byte[] Create(IReadOnlyList<(ManifestDescriptor Manifest, ContainerPlatform Platform)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("An image index names at least one manifest.", nameof(entries));
        }

        var mediaType = MediaTypeFor(entries.Select(e => e.Manifest));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", mediaType);
            json.WriteStartArray("manifests");
            foreach (var (manifest, platform) in entries)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", manifest.MediaType);
                json.WriteString("digest", manifest.Digest);
                json.WriteNumber("size", manifest.Size);
                json.WriteStartObject("platform");
                json.WriteString("architecture", platform.Architecture);
                json.WriteString("os", platform.Os);
                if (platform.Variant is not null)
                {
                    json.WriteString("variant", platform.Variant);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        // The relaxed encoder writes '+' of media types as it is (the values are ASCII names and digests, no HTML).
        // Utf8JsonWriter indents with \n on every OS only from .NET 9: the document must not depend on the machine.
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>"sha256:…" of a document, as the registry names it.</summary>
    public static string Digest(byte[] content) =>
        "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(content)).ToLowerInvariant();
}
