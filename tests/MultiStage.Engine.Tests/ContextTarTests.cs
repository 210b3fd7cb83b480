using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Context;

namespace MultiStage.Engine.Tests;

// Modes, symlinks and FIFOs are exercised the way the engine sees them: on Unix.
[TestClass]
[UnsupportedOSPlatform("windows")]
public sealed class ContextTarTests
{
    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode755 = Mode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private string _root = null!;

    [TestInitialize]
    public void Initialize() => _root = ContextTestSupport.CreateTempDirectory();

    [TestCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [TestMethod]
    public async Task WritesFilesDirectoriesModesAndSymlinks()
    {
        ContextTestSupport.WriteFile(_root, "b.txt", "bee");
        ContextTestSupport.WriteFile(_root, "a/run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_root, "a/run.sh"), Mode755);
        File.SetUnixFileMode(Path.Combine(_root, "b.txt"), Mode644);
        ContextTestSupport.WriteFile(_root, ".hidden", "dot");
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        File.CreateSymbolicLink(Path.Combine(_root, "link-to-b"), "b.txt");
        Directory.CreateSymbolicLink(Path.Combine(_root, "link-to-a"), "a");
        var mtime = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "b.txt"), mtime);

        var (result, entries) = await WriteAndReadAsync(DockerIgnore.Empty);

        CollectionAssert.AreEqual(
            new[] { ".hidden", "a/", "a/run.sh", "b.txt", "empty/", "link-to-a", "link-to-b" },
            entries.Select(e => e.Entry.Name).ToArray());
        var byName = entries.ToDictionary(e => e.Entry.Name);
        Assert.AreEqual(TarEntryType.Directory, byName["a/"].Entry.EntryType);
        Assert.AreEqual(Mode755, byName["a/run.sh"].Entry.Mode);
        Assert.AreEqual(Mode644, byName["b.txt"].Entry.Mode);
        Assert.AreEqual("bee", Encoding.UTF8.GetString(byName["b.txt"].Data));
        Assert.AreEqual(new DateTimeOffset(mtime), byName["b.txt"].Entry.ModificationTime);
        Assert.AreEqual(TarEntryType.SymbolicLink, byName["link-to-b"].Entry.EntryType);
        Assert.AreEqual("b.txt", byName["link-to-b"].Entry.LinkName);
        Assert.AreEqual(TarEntryType.SymbolicLink, byName["link-to-a"].Entry.EntryType);
        Assert.AreEqual("a", byName["link-to-a"].Entry.LinkName);
        foreach (var (entry, _) in entries)
        {
            var posix = (PosixTarEntry)entry;
            Assert.AreEqual(0, posix.Uid, entry.Name);
            Assert.AreEqual(0, posix.Gid, entry.Name);
            Assert.AreEqual(string.Empty, posix.UserName, entry.Name);
            Assert.AreEqual(string.Empty, posix.GroupName, entry.Name);
        }

        Assert.AreEqual(3, result.Files);
        Assert.AreEqual(2, result.Directories);
        Assert.AreEqual(2, result.Symlinks);
    }

    [TestMethod]
    public async Task ExcludedPathsAreLeftOutAndExceptionsReincludeWithParentDirectories()
    {
        foreach (string file in new[]
        {
            "keep.txt", "debug.log", "important.log", "bin/app.dll", "obj/deep/x.cs",
            "docs/a.md", "docs/sub/b.md", "secret/keep.me", "secret/drop.me", "secret/inner/keep.me",
        })
        {
            ContextTestSupport.WriteFile(_root, file);
        }

        DockerIgnore ignore = DockerIgnore.Parse("*.log\n!important.log\nbin\nobj/\ndocs/**\nsecret\n!secret/**/keep.me");

        var (_, entries) = await WriteAndReadAsync(ignore);

        CollectionAssert.AreEqual(
            new[] { "docs/", "important.log", "keep.txt", "secret/", "secret/inner/", "secret/inner/keep.me", "secret/keep.me" },
            entries.Select(e => e.Entry.Name).ToArray());
    }

    [TestMethod]
    public async Task ExcludedDirectoryWithNothingReincluded_HasNoEntry()
    {
        ContextTestSupport.WriteFile(_root, "drop/a.txt");
        ContextTestSupport.WriteFile(_root, "drop/sub/b.txt");
        ContextTestSupport.WriteFile(_root, "x.txt");

        var (_, entries) = await WriteAndReadAsync(DockerIgnore.Parse("drop\n!**/*.keep"));

        CollectionAssert.AreEqual(new[] { "x.txt" }, entries.Select(e => e.Entry.Name).ToArray());
    }

    [TestMethod]
    public async Task AFractionOfASecondIsRoundedUpInUstarAndKeptInPax()
    {
        // Rounding down would make an edit made within a second of the last build look older than its outputs.
        var edited = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(700);
        var whole = new DateTime(2024, 1, 1, 0, 0, 5, DateTimeKind.Utc);
        var longName = new string('p', 120) + ".cs";
        ContextTestSupport.WriteFile(_root, "edited.cs");
        ContextTestSupport.WriteFile(_root, "whole.cs");
        ContextTestSupport.WriteFile(_root, longName);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "edited.cs"), edited);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "whole.cs"), whole);
        File.SetLastWriteTimeUtc(Path.Combine(_root, longName), edited);

        var (_, entries) = await WriteAndReadAsync(DockerIgnore.Empty);

        var byName = entries.ToDictionary(e => e.Entry.Name);
        Assert.IsInstanceOfType<UstarTarEntry>(byName["edited.cs"].Entry);
        Assert.AreEqual(new DateTimeOffset(2024, 1, 1, 0, 0, 1, TimeSpan.Zero), byName["edited.cs"].Entry.ModificationTime);
        Assert.AreEqual(new DateTimeOffset(whole), byName["whole.cs"].Entry.ModificationTime);
        Assert.IsInstanceOfType<PaxTarEntry>(byName[longName].Entry);
        Assert.AreEqual(new DateTimeOffset(edited), byName[longName].Entry.ModificationTime);
    }

    [TestMethod]
    public async Task GivenExclusionsReplaceTheDirectorysDockerIgnoreAndKeepTheBuildFiles()
    {
        ContextTestSupport.WriteFile(_root, ".dockerignore", "layers\n");
        ContextTestSupport.WriteFile(_root, "Dependencies.Dockerfile", "FROM scratch");
        ContextTestSupport.WriteFile(_root, "Dockerfile", "FROM scratch");
        ContextTestSupport.WriteFile(_root, "layers/runtime/libcoreclr.so");
        ContextTestSupport.WriteFile(_root, "layers/packages/Humanizer.dll");
        ContextTestSupport.WriteFile(_root, "layers/app/App.dll");
        var context = new MultiStage.Engine.Client.DirectoryBuildContext(_root, "Dependencies.Dockerfile", null, DockerIgnore.Parse("*\n!layers/runtime/\n!layers/packages/\n"));

        using var buffer = new MemoryStream();
        await context.WriteTarAsync(buffer, CancellationToken.None);
        buffer.Position = 0;

        CollectionAssert.AreEqual(
            new[] { "Dependencies.Dockerfile", ".dockerignore", "layers/", "layers/packages/", "layers/packages/Humanizer.dll", "layers/runtime/", "layers/runtime/libcoreclr.so" },
            ContextTestSupport.ReadTar(buffer).Select(e => e.Entry.Name).ToArray());
    }

    [TestMethod]
    public async Task KeptBuildFilesAreSentEvenWhenExcluded()
    {
        ContextTestSupport.WriteFile(_root, "Dockerfile", "FROM scratch");
        ContextTestSupport.WriteFile(_root, ".dockerignore", "*\n!src\n");
        ContextTestSupport.WriteFile(_root, "src/Program.cs");
        ContextTestSupport.WriteFile(_root, "README.md");

        DockerIgnore ignore = DockerIgnore.Load(_root).KeepBuildFiles("Dockerfile");
        var (_, entries) = await WriteAndReadAsync(ignore);

        CollectionAssert.AreEqual(
            new[] { ".dockerignore", "Dockerfile", "src/", "src/Program.cs" },
            entries.Select(e => e.Entry.Name).ToArray());
    }

    [TestMethod]
    public async Task ExtraFileIsWrittenFirstAndReplacesAContextFileOfTheSameName()
    {
        ContextTestSupport.WriteFile(_root, "app.txt", "app");
        ContextTestSupport.WriteFile(_root, BuildContext.GeneratedDockerfileName, "stale");
        byte[] dockerfile = Encoding.UTF8.GetBytes("FROM scratch\nCOPY app.txt /\n");
        var extra = new BuildContextFile(BuildContext.GeneratedDockerfileName, dockerfile.AsMemory(0, dockerfile.Length));

        var (result, entries) = await WriteAndReadAsync(DockerIgnore.Empty, new[] { extra });

        CollectionAssert.AreEqual(new[] { BuildContext.GeneratedDockerfileName, "app.txt" }, entries.Select(e => e.Entry.Name).ToArray());
        CollectionAssert.AreEqual(dockerfile, entries[0].Data);
        Assert.AreEqual(Mode644, entries[0].Entry.Mode);
        Assert.AreEqual(DateTimeOffset.UnixEpoch, entries[0].Entry.ModificationTime);
        Assert.AreEqual(2, result.Files);
    }

    [TestMethod]
    public async Task ExtraFileOutsideTheContext_IsRejected()
    {
        var extra = new BuildContextFile("../escape", new byte[] { 1 });

        await Assert.ThrowsExactlyAsync<ArgumentException>(() => BuildContext.WriteTarAsync(new CountingSink(), _root, DockerIgnore.Empty, new[] { extra }));
    }

    [TestMethod]
    public async Task LongAndUnicodeNamesRoundTripThroughPax()
    {
        string longDir = string.Join("/", Enumerable.Repeat("segment-of-a-long-path", 6));
        string longName = longDir + "/" + new string('n', 120) + ".txt";
        ContextTestSupport.WriteFile(_root, longName, "long");
        ContextTestSupport.WriteFile(_root, "ünïcødé 日本/файл с пробелами.txt", "unicode");
        File.CreateSymbolicLink(Path.Combine(_root, "to-long"), longName);

        var (_, entries) = await WriteAndReadAsync(DockerIgnore.Empty);
        var byName = entries.ToDictionary(e => e.Entry.Name);

        Assert.AreEqual("long", Encoding.UTF8.GetString(byName[longName].Data));
        Assert.AreEqual("unicode", Encoding.UTF8.GetString(byName["ünïcødé 日本/файл с пробелами.txt"].Data));
        Assert.AreEqual(longName, byName["to-long"].Entry.LinkName);
        Assert.IsInstanceOfType<PaxTarEntry>(byName[longName].Entry);
        Assert.IsInstanceOfType<PaxTarEntry>(byName["to-long"].Entry);
        Assert.IsInstanceOfType<PaxTarEntry>(byName["ünïcødé 日本/"].Entry);
        Assert.IsInstanceOfType<UstarTarEntry>(byName["segment-of-a-long-path/"].Entry);
    }

    [TestMethod]
    public async Task OutputIsByteForByteDeterministic()
    {
        ContextTestSupport.WriteFile(_root, "z.txt", "z");
        ContextTestSupport.WriteFile(_root, "A.txt", "A");
        ContextTestSupport.WriteFile(_root, "m/n.txt", "n");

        using var first = new MemoryStream();
        using var second = new MemoryStream();
        BuildContextResult one = await BuildContext.WriteTarAsync(first, _root, DockerIgnore.Empty);
        await BuildContext.WriteTarAsync(second, _root, DockerIgnore.Empty);

        CollectionAssert.AreEqual(first.ToArray(), second.ToArray());
        Assert.AreEqual(first.Length, one.BytesWritten);
        first.Position = 0;
        CollectionAssert.AreEqual(new[] { "A.txt", "m/", "m/n.txt", "z.txt" }, ContextTestSupport.ReadTar(first).Select(e => e.Entry.Name).ToArray());
    }

    [TestMethod]
    public async Task FifoIsSkipped()
    {
        ContextTestSupport.WriteFile(_root, "a.txt");
        ContextTestSupport.Run("mkfifo", Path.Combine(_root, "pipe"));

        var (result, entries) = await WriteAndReadAsync(DockerIgnore.Empty);

        CollectionAssert.AreEqual(new[] { "a.txt" }, entries.Select(e => e.Entry.Name).ToArray());
        Assert.AreEqual(1, result.SkippedSpecialFiles);
    }

    [TestMethod]
    public async Task FileThatCannotBeRead_RaisesContextFileException()
    {
        ContextTestSupport.WriteFile(_root, "a.txt");
        ContextTestSupport.WriteFile(_root, "z.txt");
        string victim = Path.Combine(_root, "z.txt");

        // The directory listing is taken before a.txt is written; z.txt then disappears before it is opened.
        var sink = new CountingSink(onFirstWrite: () => File.Delete(victim));
        var error = await Assert.ThrowsExactlyAsync<ContextFileException>(() => BuildContext.WriteTarAsync(sink, _root, DockerIgnore.Empty));

        Assert.AreEqual("z.txt", error.RelativePath);
        Assert.AreEqual(victim, error.FullPath);
        Assert.IsInstanceOfType<FileNotFoundException>(error.InnerException);
    }

    [TestMethod]
    public async Task DirectoryThatCannotBeListed_RaisesContextFileException()
    {
        ContextTestSupport.WriteFile(_root, "a.txt");
        ContextTestSupport.WriteFile(_root, "sub/b.txt");
        string victim = Path.Combine(_root, "sub");

        var sink = new CountingSink(onFirstWrite: () => Directory.Delete(victim, recursive: true));
        var error = await Assert.ThrowsExactlyAsync<ContextFileException>(() => BuildContext.WriteTarAsync(sink, _root, DockerIgnore.Empty));

        Assert.AreEqual("sub", error.RelativePath);
    }

    [TestMethod]
    public async Task MissingContextDirectory_Throws()
    {
        await Assert.ThrowsExactlyAsync<DirectoryNotFoundException>(
            () => BuildContext.WriteTarAsync(new CountingSink(), Path.Combine(_root, "missing"), DockerIgnore.Empty));
    }

    [TestMethod]
    public async Task Cancellation_StopsTheWalk()
    {
        ContextTestSupport.WriteFile(_root, "a.txt");
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => BuildContext.WriteTarAsync(new CountingSink(), _root, DockerIgnore.Empty, cancellationToken: cancellation.Token));
    }

    [TestMethod]
    public async Task LargeContextStreamsWithoutBufferingContents()
    {
        const long bigSize = 512L * 1024 * 1024;
        using (var big = new FileStream(Path.Combine(_root, "big.bin"), FileMode.CreateNew))
        {
            // Sparse: costs no disk, reads back as zeros.
            big.SetLength(bigSize);
        }

        for (int i = 0; i < 200; i++)
        {
            ContextTestSupport.WriteFile(_root, $"many/file{i:D3}.txt", new string('x', 10_000));
        }

        var sink = new CountingSink();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        BuildContextResult result = await BuildContext.WriteTarAsync(sink, _root, DockerIgnore.Empty);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.AreEqual(sink.Count, result.BytesWritten);
        Assert.IsGreaterThan(bigSize + (200 * 10_000), result.BytesWritten);
        Assert.AreEqual(201, result.Files);
        // Buffering the big file alone would allocate 512 MiB; the walk needs a few MiB at most.
        Assert.IsLessThan(32L * 1024 * 1024, allocated, $"allocated {allocated} bytes");
    }

    private async Task<(BuildContextResult Result, List<(TarEntry Entry, byte[] Data)> Entries)> WriteAndReadAsync(
        DockerIgnore ignore, IReadOnlyCollection<BuildContextFile>? extra = null)
    {
        using var buffer = new MemoryStream();
        BuildContextResult result = await BuildContext.WriteTarAsync(buffer, _root, ignore, extra);
        Assert.AreEqual(buffer.Length, result.BytesWritten);
        buffer.Position = 0;
        return (result, ContextTestSupport.ReadTar(buffer));
    }
}
