using System.Text;
using System.Text.Json;
using MultiStage.Engine.Client;
using MultiStage.Engine.Registry;
using MultiStage.Inference;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class ImageIndexTests
{
    private static ContainerPlatform Platform(string rid) => ContainerPlatform.FromRuntimeIdentifier(rid, out _)!;

    private static ManifestDescriptor Manifest(string mediaType, char digit, long size) => new(mediaType, "sha256:" + new string(digit, 64), size);

    [TestMethod]
    public void DockerManifestsMakeAManifestListWithPlatformFields()
    {
        var document = ImageIndex.Create(
        [
            (Manifest(ImageIndex.DockerManifestMediaType, 'a', 1000), Platform("linux-x64")),
            (Manifest(ImageIndex.DockerManifestMediaType, 'b', 1001), Platform("linux-arm64")),
        ]);

        Assert.AreEqual(
            $$"""
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
              "manifests": [
                {
                  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                  "digest": "sha256:{{new string('a', 64)}}",
                  "size": 1000,
                  "platform": {
                    "architecture": "amd64",
                    "os": "linux"
                  }
                },
                {
                  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                  "digest": "sha256:{{new string('b', 64)}}",
                  "size": 1001,
                  "platform": {
                    "architecture": "arm64",
                    "os": "linux",
                    "variant": "v8"
                  }
                }
              ]
            }
            """.ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(document));
    }

    [TestMethod]
    public void AnOciManifestMakesAnOciIndex()
    {
        var document = ImageIndex.Create(
        [
            (Manifest(ImageIndex.OciManifestMediaType, 'a', 900), Platform("linux-musl-x64")),
            (Manifest(ImageIndex.DockerManifestMediaType, 'b', 901), Platform("linux-arm")),
        ]);

        using var json = JsonDocument.Parse(document);
        Assert.AreEqual(ImageIndex.OciIndexMediaType, json.RootElement.GetProperty("mediaType").GetString());
        var arm = json.RootElement.GetProperty("manifests")[1].GetProperty("platform");
        Assert.AreEqual("arm", arm.GetProperty("architecture").GetString());
        Assert.AreEqual("v7", arm.GetProperty("variant").GetString());
    }

    [TestMethod]
    public void TheDocumentAndItsDigestDoNotChangeBetweenRuns()
    {
        var entries = new[] { (Manifest(ImageIndex.DockerManifestMediaType, 'c', 5), Platform("linux-x64")) };

        var first = ImageIndex.Create(entries);
        var second = ImageIndex.Create(entries);

        CollectionAssert.AreEqual(first, second);
        Assert.IsFalse(first.Contains((byte)'\r'));
        Assert.AreEqual(ImageIndex.Digest(first), ImageIndex.Digest(second));
        StringAssert.StartsWith(ImageIndex.Digest(first), "sha256:");
    }

    [TestMethod]
    [DataRow("latest", "linux-x64", "latest-amd64")]
    [DataRow("1.2.3", "linux-arm64", "1.2.3-arm64")]
    [DataRow("1.2.3", "linux-arm", "1.2.3-armv7")]
    public void PlatformImagesAreTaggedWithTheirArchitecture(string tag, string rid, string expected)
    {
        Assert.AreEqual(expected, EngineClient.PlatformTag(tag, Platform(rid)));
    }
}
