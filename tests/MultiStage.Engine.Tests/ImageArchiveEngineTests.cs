using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using MultiStage.Engine.Archive;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Images saved from the real engines (Docker and Podman's Docker-compatible API) and loaded back through the same API,
/// and what the engines' own archives become as OCI layouts.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class ImageArchiveEngineTests
{
    private static string Dockerfile(string marker) => $"""
        FROM {PodmanTestEnvironment.BaseImage}
        RUN echo "{marker}" > /marker.txt
        CMD ["cat", "/marker.txt"]

        """;

    [TestMethod]
    [DataRow("docker")]
    [DataRow("podman")]
    public async Task ASavedImageLoadsBackAndItsOciLayoutIsConsistent(string engine)
    {
        var podman = engine == "podman";
        using var client = podman ? await PodmanTestEnvironment.ConnectAsync() : await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("archive-" + engine);
        var folder = Path.Combine(Path.GetTempPath(), repository.Replace('/', '-'));
        var reference = $"{repository}:1";
        try
        {
            var built = await client.BuildAsync(
                new BuildRequest { Context = new InMemoryContext(("Dockerfile", Dockerfile(repository))), Repository = repository, Tags = ["1"], NetworkMode = "host" },
                new TestLog());
            var log = new TestLog();
            // Podman's API loads no gzip ("invalid tar header"): there the plain archive goes back.
            var docker = await client.SaveImageAsync(reference, Path.Combine(folder, podman ? "app.tar" : "app.tar.gz"), ImageArchiveFormat.Docker, log);
            var oci = await client.SaveImageAsync(reference, Path.Combine(folder, "oci.tar"), ImageArchiveFormat.Oci, log);

            Assert.AreEqual(new FileInfo(docker.Path).Length, docker.Size);
            StringAssert.StartsWith(log.SummaryLines.First(), $"Saved image {reference} to {docker.Path} (");
            CollectionAssert.AreEquivalent(new[] { docker.Path, oci.Path }, Directory.GetFileSystemEntries(folder), "no temporary file or staging folder is left");
            AssertOciLayout(oci.Path, built.ImageId);

            // Loaded back through the API, after the image is gone.
            using (var raw = podman ? PodmanTestEnvironment.Raw() : EngineTestEnvironment.Raw())
            {
                await raw.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true });
                Assert.IsNull(await client.FindImageAsync(reference));
                await using var file = File.OpenRead(docker.Path);
                await raw.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, file, new Progress<JSONMessage>());
            }

            Assert.AreEqual(built.ImageId, await client.FindImageAsync(reference), "the same image, loaded from the archive");
        }
        finally
        {
            if (podman)
            {
                await PodmanTestEnvironment.RemoveAsync(reference);
            }
            else
            {
                await EngineTestEnvironment.RemoveAsync(reference);
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [TestMethod]
    public async Task AnImageTheEngineLacksIsACodedErrorAndNoFile()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var folder = Path.Combine(Path.GetTempPath(), EngineTestEnvironment.UniqueRepository("archive-missing").Replace('/', '-'));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.SaveImageAsync("mstage-test/no-such-image:1", Path.Combine(folder, "app.tar"), ImageArchiveFormat.Docker, new TestLog()));

        Assert.AreEqual(EngineErrorCodes.ArchiveExportFailed, error.Code);
        StringAssert.Contains(error.Message, "mstage-test/no-such-image:1");
        Assert.IsFalse(Directory.Exists(folder) && Directory.GetFileSystemEntries(folder).Length > 0);
    }

    /// <summary>Every blob named by its sha256; the manifest's config is the image (its digest is the image ID); sizes agree.</summary>
    private static void AssertOciLayout(string path, string imageId)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        JsonElement index = default;
        using (var reader = new TarReader(File.OpenRead(path)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                using var copy = new MemoryStream();
                entry.DataStream?.CopyTo(copy);
                if (entry.Name == "index.json")
                {
                    index = JsonDocument.Parse(copy.ToArray()).RootElement.Clone();
                }
                else if (entry.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && entry.EntryType == TarEntryType.RegularFile)
                {
                    var hex = entry.Name["blobs/sha256/".Length..];
                    Assert.AreEqual(hex, Convert.ToHexString(SHA256.HashData(copy.ToArray())).ToLowerInvariant());
                    blobs[hex] = copy.ToArray();
                }
            }
        }

        byte[] Blob(JsonElement descriptor)
        {
            var content = blobs[descriptor.GetProperty("digest").GetString()!["sha256:".Length..]];
            Assert.AreEqual(descriptor.GetProperty("size").GetInt64(), content.LongLength);
            return content;
        }

        var manifest = JsonDocument.Parse(Blob(index.GetProperty("manifests")[0])).RootElement;
        Assert.AreEqual(imageId, manifest.GetProperty("config").GetProperty("digest").GetString());
        var diffIds = JsonDocument.Parse(Blob(manifest.GetProperty("config"))).RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()).ToList();
        var layers = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.AreEqual(diffIds.Count, layers.Count);
        foreach (var layer in layers)
        {
            Blob(layer);
        }

        CollectionAssert.AreEqual(diffIds, layers.Select(l => l.GetProperty("digest").GetString()).ToList(), "uncompressed layers: each digest is its diff_id");
    }
}
