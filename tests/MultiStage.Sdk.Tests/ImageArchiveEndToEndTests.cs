using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// ContainerArchiveOutputPath on the real engine: the saved file is what docker load takes back, with the image gone
/// from the engine in between; ContainerImageFormat=OCI writes a valid OCI image layout.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class ImageArchiveEndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N")[..8];

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    private static ProcessResult Build(string dir, string repository, params string[] extra) =>
        ProcessRunner.Run("dotnet", new[]
        {
            "build", "-t:ContainerizeMultiStage", "-nologo", "-v:m",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true",
            "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}",
            "-p:ContainerImageTag=1.0",
        }.Concat(extra), dir, null, TimeSpan.FromMinutes(20));

    [TestMethod]
    public void AGzipArchiveRelativeToTheProjectLoadsAndRunsAfterTheImageIsRemoved()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"archive/e2e-docker-{Run}";
        var result = Build(dir, repository, "-p:ContainerArchiveOutputPath=out/app.tar.gz").EnsureSuccess();
        var path = Path.Combine(dir, "out", "app.tar.gz");

        StringAssert.Contains(result.Output, $"Saved image {repository}:1.0 to {path} (");
        Assert.IsFalse(result.Output.Contains("   at ", StringComparison.Ordinal), "no stack trace");
        using (var file = File.OpenRead(path))
        {
            Assert.IsTrue(file.ReadByte() == 0x1f && file.ReadByte() == 0x8b, "gzip-compressed");
        }

        CollectionAssert.AreEqual(new[] { path }, Directory.GetFileSystemEntries(Path.Combine(dir, "out")), "no temporary file is left");

        DockerCli.Run("rmi", $"{repository}:1.0").EnsureSuccess();
        StringAssert.Contains(DockerCli.Run("load", "-i", path).EnsureSuccess().Output, $"Loaded image: {repository}:1.0");
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:1.0", "archived").EnsureSuccess().Output, "console-app: hello [archived]");
        DockerCli.Run("rmi", $"{repository}:1.0");
    }

    [TestMethod]
    public void AnOciArchiveIsALayoutWhoseBlobsMatchTheirNamesAndDockerLoadsIt()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"archive/e2e-oci-{Run}";
        var path = Path.Combine(Path.GetTempPath(), $"archive-oci-{Run}", "app-oci.tar");
        try
        {
            var result = Build(dir, repository, $"-p:ContainerArchiveOutputPath={path}", "-p:ContainerImageFormat=OCI").EnsureSuccess();
            StringAssert.Contains(result.Output, $"Saved image {repository}:1.0 as an OCI image layout to {path} (");
            var imageId = DockerCli.Inspect($"{repository}:1.0").GetProperty("Id").GetString();

            var blobs = new Dictionary<string, long>(StringComparer.Ordinal);
            JsonElement index = default;
            using (var reader = new TarReader(File.OpenRead(path)))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    if (entry.Name == "oci-layout")
                    {
                        Assert.AreEqual("1.0.0", JsonDocument.Parse(entry.DataStream!).RootElement.GetProperty("imageLayoutVersion").GetString());
                    }
                    else if (entry.Name == "index.json")
                    {
                        index = JsonDocument.Parse(entry.DataStream!).RootElement.Clone();
                    }
                    else if (entry.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && entry.EntryType == TarEntryType.RegularFile)
                    {
                        // Every blob's sha256 is its name.
                        var hex = Convert.ToHexString(SHA256.HashData(entry.DataStream!)).ToLowerInvariant();
                        Assert.AreEqual(entry.Name["blobs/sha256/".Length..], hex);
                        blobs[hex] = entry.Length;
                    }
                }
            }

            var manifestDescriptor = index.GetProperty("manifests").EnumerateArray().Single();
            Assert.AreEqual("application/vnd.oci.image.manifest.v1+json", manifestDescriptor.GetProperty("mediaType").GetString());
            Assert.AreEqual($"{repository}:1.0", manifestDescriptor.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
            var manifest = JsonDocument.Parse(Blob(path, manifestDescriptor.GetProperty("digest").GetString()!)).RootElement;
            var config = manifest.GetProperty("config");
            Assert.AreEqual("application/vnd.oci.image.config.v1+json", config.GetProperty("mediaType").GetString());
            Assert.AreEqual(imageId, config.GetProperty("digest").GetString(), "the config is the engine's: its digest is the image ID");
            foreach (var descriptor in manifest.GetProperty("layers").EnumerateArray().Append(config))
            {
                var hex = descriptor.GetProperty("digest").GetString()!["sha256:".Length..];
                Assert.IsTrue(blobs.TryGetValue(hex, out var size), hex);
                Assert.AreEqual(descriptor.GetProperty("size").GetInt64(), size);
                Assert.IsTrue(descriptor.GetProperty("mediaType").GetString()!.StartsWith("application/vnd.oci.image.", StringComparison.Ordinal));
            }

            if (File.Exists("/usr/bin/skopeo"))
            {
                var skopeo = ProcessRunner.Run("/usr/bin/skopeo", new[] { "inspect", "--raw", $"oci-archive:{path}" }, timeout: TimeSpan.FromMinutes(2)).EnsureSuccess();
                StringAssert.Contains(skopeo.Output, manifest.GetProperty("config").GetProperty("digest").GetString()!);
            }

            DockerCli.Run("rmi", $"{repository}:1.0").EnsureSuccess();
            DockerCli.Run("load", "-i", path).EnsureSuccess();
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:1.0", "oci").EnsureSuccess().Output, "console-app: hello [oci]");
        }
        finally
        {
            DockerCli.Run("rmi", $"{repository}:1.0");
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static byte[] Blob(string archive, string digest)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == "blobs/sha256/" + digest["sha256:".Length..])
            {
                using var copy = new MemoryStream();
                entry.DataStream!.CopyTo(copy);
                return copy.ToArray();
            }
        }

        throw new AssertFailedException($"no blob {digest}");
    }
}
