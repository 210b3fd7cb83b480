using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MultiStage.Engine.Archive;

/// <summary>
/// Converts a <c>docker save</c> archive into an OCI image layout tarball (oci-layout, index.json, blobs/sha256/…).
/// The layers are the engine's tars as they are, named by their sha256; the config is the engine's, byte for byte. A
/// manifest.json of Docker's form that points at the same blobs is added, as <c>docker save</c> itself does since Docker
/// 25, so <c>docker load</c> reads the file too. The tar entries have fixed times and owners and a fixed order.
/// </summary>
internal static class OciImageLayout
{
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>Docker's manifest.json entry: which file is the config, which are the layers, in order.</summary>
    private sealed record DockerManifest(string Config, IReadOnlyList<string> Layers);

    /// <summary>
    /// Reads <paramref name="dockerArchive"/> (staging its files in <paramref name="stagingDirectory"/>) and writes the
    /// layout of its first image to <paramref name="output"/>, named <paramref name="reference"/> (repository:tag).
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a docker archive.</exception>
    public static async Task ConvertAsync(Stream dockerArchive, Stream output, string reference, string stagingDirectory, CancellationToken cancellationToken)
    {
        var staged = await StagedDockerArchive.ReadAsync(dockerArchive, stagingDirectory, cancellationToken).ConfigureAwait(false);
        var source = ReadDockerManifest(staged);
        var config = staged.Find(source.Config) ?? throw new InvalidDataException($"manifest.json names the config {source.Config}, which the archive does not hold");
        var layers = source.Layers
            .Select(l => staged.Find(l) ?? throw new InvalidDataException($"manifest.json names the layer {l}, which the archive does not hold"))
            .ToList();

        var configBytes = await File.ReadAllBytesAsync(config.Path, cancellationToken).ConfigureAwait(false);
        var manifest = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", ManifestMediaType);
            w.WritePropertyName("config");
            Descriptor(w, ConfigMediaType, config.Digest, config.Size);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                Descriptor(w, LayerMediaTypeOf(layer.Path), layer.Digest, layer.Size);
            }

            w.WriteEndArray();
        });
        var manifestDigest = Digest(manifest);
        var tag = reference[(reference.LastIndexOf(':') + 1)..];
        var index = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", IndexMediaType);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", ManifestMediaType);
            w.WriteString("digest", manifestDigest);
            w.WriteNumber("size", manifest.Length);
            w.WriteStartObject("annotations");
            // containerd (docker load since Docker 25) reads the full name; skopeo and the OCI tools the tag.
            w.WriteString("io.containerd.image.name", reference);
            w.WriteString("org.opencontainers.image.ref.name", tag);
            w.WriteEndObject();
            WritePlatform(w, configBytes);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        var dockerManifest = JsonArray(w =>
        {
            w.WriteStartObject();
            w.WriteString("Config", "blobs/sha256/" + config.Hex);
            w.WriteStartArray("RepoTags");
            w.WriteStringValue(reference);
            w.WriteEndArray();
            w.WriteStartArray("Layers");
            foreach (var layer in layers)
            {
                w.WriteStringValue("blobs/sha256/" + layer.Hex);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

        var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await WriteFileAsync(writer, "oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"), cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(writer, "index.json", index, cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(writer, "manifest.json", dockerManifest, cancellationToken).ConfigureAwait(false);
            await WriteDirectoryAsync(writer, "blobs/", cancellationToken).ConfigureAwait(false);
            await WriteDirectoryAsync(writer, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(writer, "blobs/sha256/" + manifestDigest["sha256:".Length..], manifest, cancellationToken).ConfigureAwait(false);
            foreach (var blob in new[] { config }.Concat(layers).DistinctBy(b => b.Digest))
            {
                await WriteBlobAsync(writer, blob, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static DockerManifest ReadDockerManifest(StagedDockerArchive staged)
    {
        var file = staged.Find("manifest.json") ?? throw new InvalidDataException("it has no manifest.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file.Path));
            var first = document.RootElement.EnumerateArray().FirstOrDefault();
            if (first.ValueKind != JsonValueKind.Object
                || !first.TryGetProperty("Config", out var config) || config.ValueKind != JsonValueKind.String
                || !first.TryGetProperty("Layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("its manifest.json names no image (Config and Layers)");
            }

            return new DockerManifest(config.GetString()!, layers.EnumerateArray().Select(l => l.GetString() ?? "").ToList());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"its manifest.json cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The platform of the index entry, from the config's os, architecture and variant when it has them.</summary>
    private static void WritePlatform(Utf8JsonWriter w, byte[] config)
    {
        try
        {
            using var document = JsonDocument.Parse(config);
            var root = document.RootElement;
            string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (Field("architecture") is { Length: > 0 } architecture && Field("os") is { Length: > 0 } os)
            {
                w.WriteStartObject("platform");
                w.WriteString("architecture", architecture);
                w.WriteString("os", os);
                if (Field("variant") is { Length: > 0 } variant)
                {
                    w.WriteString("variant", variant);
                }

                w.WriteEndObject();
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"its image config cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>The engine's layers are plain tars; an engine that stores them compressed sends them so: the first bytes say which.</summary>
    private static string LayerMediaTypeOf(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return read >= 2 && head[0] == 0x1f && head[1] == 0x8b ? LayerMediaType + "+gzip"
            : read >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd ? LayerMediaType + "+zstd"
            : LayerMediaType;
    }

    private static void Descriptor(Utf8JsonWriter w, string mediaType, string digest, long size)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest);
        w.WriteNumber("size", size);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body) => JsonArray(w =>
    {
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
    }, array: false);

    private static byte[] JsonArray(Action<Utf8JsonWriter> body, bool array = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (array)
            {
                w.WriteStartArray();
            }

            body(w);
            if (array)
            {
                w.WriteEndArray();
            }
        }

        return buffer.ToArray();
    }

    internal static string Digest(byte[] content) => "sha256:" + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    private static Task WriteFileAsync(TarWriter writer, string name, byte[] content, CancellationToken cancellationToken) =>
        writer.WriteEntryAsync(Entry(TarEntryType.RegularFile, name, content.Length, new MemoryStream(content, writable: false)), cancellationToken);

    private static Task WriteDirectoryAsync(TarWriter writer, string name, CancellationToken cancellationToken) =>
        writer.WriteEntryAsync(Entry(TarEntryType.Directory, name, 0, null), cancellationToken);

    private static async Task WriteBlobAsync(TarWriter writer, StagedBlob blob, CancellationToken cancellationToken)
    {
        var data = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (data.ConfigureAwait(false))
        {
            await writer.WriteEntryAsync(Entry(TarEntryType.RegularFile, "blobs/sha256/" + blob.Hex, blob.Size, data), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An entry with the epoch as its time and root as its owner; ustar holds files below 8 GiB, PAX any size.</summary>
    private static TarEntry Entry(TarEntryType type, string name, long size, Stream? data)
    {
        TarEntry entry = size < 8L << 30 ? new UstarTarEntry(type, name) : new PaxTarEntry(type, name);
        entry.ModificationTime = DateTimeOffset.UnixEpoch;
        entry.Mode = type == TarEntryType.Directory
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (data is not null)
        {
            entry.DataStream = data;
        }

        return entry;
    }
}
