using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MultiStage.Engine.Archive;

namespace MultiStage.Engine.Tests;

/// <summary>The docker archive → OCI image layout conversion, the archive file's path rules and its all-or-nothing write.</summary>
[TestClass]
public sealed class ImageArchiveTests
{
    private string _root = null!;

    [TestInitialize]
    public void Initialize() => _root = ContextTestSupport.CreateTempDirectory();

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [TestMethod]
    public async Task OciLayoutIsSelfConsistentAndEveryBlobIsNamedByItsDigest()
    {
        var (archive, layers, config) = DockerArchive(duplicateLayer: true);
        var path = Path.Combine(_root, "app.tar");

        var size = await ImageArchiveFile.WriteAsync(new MemoryStream(archive), path, ImageArchiveFormat.Oci, "app:1.0", CancellationToken.None);

        Assert.AreEqual(new FileInfo(path).Length, size);
        var files = ReadTar(File.OpenRead(path));
        CollectionAssert.AreEqual(
            new[] { "oci-layout", "index.json", "manifest.json", "blobs/", "blobs/sha256/" },
            files.Keys.Take(5).ToArray(),
            "fixed order: layout files first, then the blobs");
        Assert.AreEqual("1.0.0", Json(files["oci-layout"]).GetProperty("imageLayoutVersion").GetString());
        foreach (var (name, content) in files.Where(f => f.Key.StartsWith("blobs/sha256/", StringComparison.Ordinal) && !f.Key.EndsWith('/')))
        {
            Assert.AreEqual(name["blobs/sha256/".Length..], Hex(content), $"{name} is named by its sha256");
        }

        var index = Json(files["index.json"]);
        Assert.AreEqual(OciImageLayout.IndexMediaType, index.GetProperty("mediaType").GetString());
        var entry = index.GetProperty("manifests").EnumerateArray().Single();
        Assert.AreEqual("app:1.0", entry.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
        Assert.AreEqual("1.0", entry.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        Assert.AreEqual("amd64", entry.GetProperty("platform").GetProperty("architecture").GetString());
        Assert.AreEqual("linux", entry.GetProperty("platform").GetProperty("os").GetString());
        var manifestBytes = Blob(files, entry);
        var manifest = Json(manifestBytes);
        Assert.AreEqual(OciImageLayout.ManifestMediaType, manifest.GetProperty("mediaType").GetString());

        var configDescriptor = manifest.GetProperty("config");
        Assert.AreEqual(OciImageLayout.ConfigMediaType, configDescriptor.GetProperty("mediaType").GetString());
        CollectionAssert.AreEqual(config, Blob(files, configDescriptor), "the engine's config, byte for byte");

        var layerDescriptors = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.AreEqual(layers.Count + 1, layerDescriptors.Count, "the repeated layer stays in the list");
        for (var i = 0; i < layerDescriptors.Count; i++)
        {
            Assert.AreEqual(OciImageLayout.LayerMediaType, layerDescriptors[i].GetProperty("mediaType").GetString());
            CollectionAssert.AreEqual(layers[Math.Min(i, layers.Count - 1)], Blob(files, layerDescriptors[i]));
        }

        // The layers' digests are the config's diff_ids: uncompressed layers are their own diff.
        var diffIds = Json(config).GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()).ToList();
        CollectionAssert.AreEqual(diffIds, layerDescriptors.Select(d => d.GetProperty("digest").GetString()).ToList());
        Assert.AreEqual(1, files.Keys.Count(k => k.EndsWith(Hex(layers[^1]), StringComparison.Ordinal)), "a repeated layer is stored once");

        // docker load reads the same blobs through Docker's manifest.json.
        var docker = Json(files["manifest.json"]).EnumerateArray().Single();
        Assert.AreEqual("blobs/sha256/" + Hex(config), docker.GetProperty("Config").GetString());
        Assert.AreEqual("app:1.0", docker.GetProperty("RepoTags")[0].GetString());
        foreach (var layer in docker.GetProperty("Layers").EnumerateArray())
        {
            Assert.IsTrue(files.ContainsKey(layer.GetString()!), layer.GetString());
        }

        Assert.AreEqual(0, Directory.GetFileSystemEntries(_root).Count(e => Path.GetFileName(e).StartsWith('.')), "the staging folder is gone");
    }

    [TestMethod]
    public async Task OciLayoutIsTheSameBytesEveryTime()
    {
        var (archive, _, _) = DockerArchive(duplicateLayer: false);
        await ImageArchiveFile.WriteAsync(new MemoryStream(archive), Path.Combine(_root, "a.tar"), ImageArchiveFormat.Oci, "app:1", CancellationToken.None);
        await ImageArchiveFile.WriteAsync(new MemoryStream(archive), Path.Combine(_root, "b.tar"), ImageArchiveFormat.Oci, "app:1", CancellationToken.None);

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(_root, "a.tar")), File.ReadAllBytes(Path.Combine(_root, "b.tar")));
    }

    [TestMethod]
    public async Task GzipNameIsCompressedAndDockerFormatIsTheEnginesArchive()
    {
        var (archive, _, _) = DockerArchive(duplicateLayer: false);
        var path = Path.Combine(_root, "out", "app.tar.gz");

        await ImageArchiveFile.WriteAsync(new MemoryStream(archive), path, ImageArchiveFormat.Docker, "app:1", CancellationToken.None);

        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        CollectionAssert.AreEqual(archive, copy.ToArray());
    }

    [TestMethod]
    public async Task ABrokenStreamLeavesNoFileAndKeepsTheOldOne()
    {
        var (archive, _, _) = DockerArchive(duplicateLayer: false);
        var path = Path.Combine(_root, "app.tar");
        File.WriteAllText(path, "previous");

        foreach (var format in new[] { ImageArchiveFormat.Docker, ImageArchiveFormat.Oci })
        {
            await Assert.ThrowsAsync<IOException>(() => ImageArchiveFile.WriteAsync(new FailingStream(archive, failAfter: archive.Length / 2), path, format, "app:1", CancellationToken.None));

            Assert.AreEqual("previous", File.ReadAllText(path), format.ToString());
            CollectionAssert.AreEqual(new[] { path }, Directory.GetFileSystemEntries(_root), "no temporary file or staging folder is left");
        }
    }

    [TestMethod]
    public async Task TheEnginesStreamIsNeverAskedForAnEmptyRead()
    {
        // Docker.DotNet's chunked response stream fails an empty read inside a chunk; layer tars are multiples of 512
        // bytes, so TarReader asks for their (empty) padding.
        var (archive, _, _) = DockerArchive(duplicateLayer: true);
        var path = Path.Combine(_root, "app.tar");

        await ImageArchiveFile.WriteAsync(new EngineReadStream(new NoEmptyReads(archive)), path, ImageArchiveFormat.Oci, "app:1", CancellationToken.None);

        Assert.IsTrue(File.Exists(path));
    }

    [TestMethod]
    public async Task AnArchiveWithoutManifestIsNoImage()
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "other.txt") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }

        stream.Position = 0;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ImageArchiveFile.WriteAsync(stream, Path.Combine(_root, "app.tar"), ImageArchiveFormat.Oci, "app:1", CancellationToken.None));
        StringAssert.Contains(error.Message, "manifest.json");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(_root).Length);
    }

    [TestMethod]
    public void PathRulesAreMicrosofts()
    {
        var project = Path.Combine(_root, "proj");
        Directory.CreateDirectory(Path.Combine(project, "existing"));

        Assert.AreEqual(Path.Combine(project, "out", "app.tar.gz"), ImageArchivePath.Resolve("out/app.tar.gz", project, "myapp"));
        Assert.AreEqual(Path.Combine(project, "existing", "myapp.tar.gz"), ImageArchivePath.Resolve("existing", project, "myapp"));
        Assert.AreEqual(Path.Combine(project, "new", "myapp.tar.gz"), ImageArchivePath.Resolve("new/", project, "myapp"));
        Assert.AreEqual(Path.Combine(project, "new", "org", "myapp.tar.gz"), ImageArchivePath.Resolve("new/", project, "org/myapp"));
        Assert.AreEqual("/abs/app.tar", ImageArchivePath.Resolve("/abs/app.tar", project, "myapp"));
        Assert.AreEqual(Client.EngineErrorCodes.ArchiveNotWritten, Assert.ThrowsExactly<Client.EngineException>(() => ImageArchivePath.Resolve("a\0b", project, "myapp")).Code);
        Assert.IsTrue(ImageArchivePath.IsGzip("a.tar.gz") && ImageArchivePath.IsGzip("a.TGZ") && !ImageArchivePath.IsGzip("a.tar"));
    }

    [TestMethod]
    public void AnArchiveInsideTheContextIsKeptOutOfIt()
    {
        var context = Path.Combine(_root, "ctx");
        var ignore = DockerIgnoreMatching.DockerIgnore.FromPatterns(ImageArchivePath.ContextExclusions(Path.Combine(context, "out", "a[1]*.tar.gz"), context));

        Assert.IsTrue(ignore.IsExcluded("out/a[1]*.tar.gz"));
        Assert.IsTrue(ignore.IsExcluded("out/.a[1]*.tar.gz.0123456789ab.partial"), "the temporary file");
        Assert.IsTrue(ignore.IsExcluded("out/.a[1]*.tar.gz.0123456789ab.blobs/0"), "the staging folder");
        Assert.IsFalse(ignore.IsExcluded("out/a1x.tar.gz"), "pattern characters are literal");
        Assert.IsFalse(ignore.IsExcluded("Program.cs"));
        Assert.AreEqual(0, ImageArchivePath.ContextExclusions(Path.Combine(_root, "elsewhere", "app.tar"), context).Count);
    }

    [TestMethod]
    public void FormatsAreMicrosofts()
    {
        Assert.AreEqual(ImageArchiveFormat.Docker, ImageArchiveFormats.Parse(""));
        Assert.AreEqual(ImageArchiveFormat.Docker, ImageArchiveFormats.Parse("docker"));
        Assert.AreEqual(ImageArchiveFormat.Oci, ImageArchiveFormats.Parse("OCI"));
        Assert.IsNull(ImageArchiveFormats.Parse("oci-archive"));
        var error = Assert.ThrowsExactly<Client.EngineException>(() => ImageArchiveFormats.Read("oci\narchive"));
        Assert.AreEqual(Client.EngineErrorCodes.InvalidImageFormat, error.Code);
        StringAssert.Contains(error.Message, "'oci\\narchive'");
    }

    /// <summary>A docker save archive as Docker 20.10 writes it: layer folders, the config, then manifest.json; optionally a layer repeated as a link.</summary>
    private static (byte[] Archive, List<byte[]> Layers, byte[] Config) DockerArchive(bool duplicateLayer)
    {
        var layers = new List<byte[]> { LayerTar("etc/hostname", "one"), LayerTar("app/App.dll", "two") };
        var diffIds = layers.Concat(duplicateLayer ? [layers[^1]] : []).Select(l => "sha256:" + Hex(l));
        var config = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { architecture = "amd64", os = "linux", config = new { Entrypoint = new[] { "/app/App" } }, rootfs = new { type = "layers", diff_ids = diffIds } }));
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
        {
            var folders = new List<string>();
            foreach (var layer in layers)
            {
                var folder = Hex(Encoding.UTF8.GetBytes(folders.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                folders.Add(folder);
                writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, folder + "/"));
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, folder + "/layer.tar") { DataStream = new MemoryStream(layer) });
            }

            var layerPaths = folders.Select(f => f + "/layer.tar").ToList();
            if (duplicateLayer)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "dup/"));
                writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "dup/layer.tar") { LinkName = "../" + layerPaths[^1] });
                layerPaths.Add("dup/layer.tar");
            }

            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, Hex(config) + ".json") { DataStream = new MemoryStream(config) });
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new[] { new { Config = Hex(config) + ".json", RepoTags = new[] { "app:1.0" }, Layers = layerPaths } });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(manifest) });
        }

        return (stream.ToArray(), layers, config);
    }

    private static byte[] LayerTar(string name, string content)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        }

        return stream.ToArray();
    }

    private static Dictionary<string, byte[]> ReadTar(Stream stream)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            Assert.AreEqual(DateTimeOffset.UnixEpoch, entry.ModificationTime, entry.Name);
            Assert.AreEqual(0, entry.Uid, entry.Name);
            using var copy = new MemoryStream();
            entry.DataStream?.CopyTo(copy);
            Assert.IsTrue(files.TryAdd(entry.Name, copy.ToArray()), $"{entry.Name} once");
        }

        return files;
    }

    private static byte[] Blob(Dictionary<string, byte[]> files, JsonElement descriptor)
    {
        var digest = descriptor.GetProperty("digest").GetString()!;
        var content = files["blobs/sha256/" + digest["sha256:".Length..]];
        Assert.AreEqual(descriptor.GetProperty("size").GetInt64(), content.LongLength, $"size of {digest}");
        return content;
    }

    private static JsonElement Json(byte[] content) => JsonDocument.Parse(content).RootElement;

    private static string Hex(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>A stream that fails an empty read, as a chunked HTTP response of Docker.DotNet does.</summary>
    private sealed class NoEmptyReads(byte[] content) : MemoryStream(content, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            buffer.IsEmpty ? throw new IOException("The connection closed in the middle of a chunk.") : base.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>The archive's bytes up to a point, then the broken connection's IOException.</summary>
    private sealed class FailingStream(byte[] content, long failAfter) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            _inner.Position >= failAfter
                ? throw new IOException("The response ended prematurely.")
                : _inner.Read(buffer, offset, (int)Math.Min(count, failAfter - _inner.Position));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
