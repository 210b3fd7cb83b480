using Google.Protobuf;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The pieces of BuildKit's file sync: fsutil's packets on the wire, Go's file modes, the walk order fsutil's
/// receiver checks, and how include, exclude and follow-path lists narrow what is offered.
/// </summary>
[TestClass]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SessionFileSyncTests
{
    [TestMethod]
    public void PacketsEncodeAsFsutilDeclaresThem()
    {
        // wire.proto: type = 1 (varint), stat = 2 (message), ID = 3 (varint), data = 4 (bytes); stat.proto: path = 1, mode = 2.
        CollectionAssert.AreEqual(new byte[] { 0x08, 0x01, 0x18, 0x03 }, new Packet { Type = Packet.Types.PacketType.PacketReq, ID = 3 }.ToByteArray());
        CollectionAssert.AreEqual(
            new byte[] { 0x12, 0x06, 0x0A, 0x01, (byte)'a', 0x10, 0xA4, 0x03 },
            new Packet { Type = Packet.Types.PacketType.PacketStat, Stat = new Stat { Path = "a", Mode = 0x1A4 } }.ToByteArray());
        CollectionAssert.AreEqual(
            new byte[] { 0x08, 0x02, 0x18, 0x05, 0x22, 0x02, (byte)'h', (byte)'i' },
            new Packet { Type = Packet.Types.PacketType.PacketData, ID = 5, Data = ByteString.CopyFromUtf8("hi") }.ToByteArray());
        // The end of the walk: a STAT packet without a stat is an empty message.
        Assert.AreEqual(0, new Packet { Type = Packet.Types.PacketType.PacketStat }.ToByteArray().Length);
    }

    [TestMethod]
    public void ModesAreGoFileModes()
    {
        // Go's os.FileMode: ModeDir = 1<<31, ModeSymlink = 1<<27, ModeSetuid = 1<<23, ModeSetgid = 1<<22, ModeSticky = 1<<20.
        Assert.AreEqual(0x1A4u, GoFileMode.From((UnixFileMode)0x1A4, directory: false, symlink: false));
        Assert.AreEqual(0x8000_01EDu, GoFileMode.From((UnixFileMode)0x1ED, directory: true, symlink: false));
        Assert.AreEqual((1u << 23) | 0x1ED, GoFileMode.From((UnixFileMode)0x9ED, directory: false, symlink: false));
        Assert.AreEqual((1u << 22) | (1u << 20) | 0x1FF | (1u << 31), GoFileMode.From((UnixFileMode)0x7FF, directory: true, symlink: false));
        Assert.IsTrue(GoFileMode.IsRegular(0x1ED | (1u << 23)), "setuid is no type bit");
        Assert.IsFalse(GoFileMode.IsRegular(GoFileMode.Symlink | 0x1FF));
    }

    [TestMethod]
    public void WalkSendsEachFolderBeforeItsContentsInGoByteOrder()
    {
        using var dir = new TempDirectory();
        foreach (var file in new[] { "a.txt", "a/b", "a-b", "B", "é", "z/y/x", "a/c/d", "\U0001F600", "\uFF21" })
        {
            dir.Write(file, "x");
        }

        var paths = Walk(dir.Path).Select(e => e.Path).ToList();

        // Go compares the UTF-8 bytes: "a" < "a-b" < "a.txt", an emoji (F0 ..) after U+FF21 (EF ..), though UTF-16 sorts them the other way.
        CollectionAssert.AreEqual(
            new[] { "B", "a", "a/b", "a/c", "a/c/d", "a-b", "a.txt", "z", "z/y", "z/y/x", "é", "\uFF21", "\U0001F600" },
            paths);
        AssertFsutilOrder(paths, Walk(dir.Path).Where(e => (e.Stat.Mode & GoFileMode.Directory) != 0).Select(e => e.Path).ToHashSet());
    }

    [TestMethod]
    public void StatsCarryGoModeSizeNanosecondsAndRootOwner()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app/run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1ED);
        var time = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(file, time);
        File.CreateSymbolicLink(Path.Combine(dir.Path, "link"), "app/run.sh");

        var entries = Walk(dir.Path).ToDictionary(e => e.Path);

        var script = entries["app/run.sh"].Stat;
        Assert.AreEqual(0x1EDu, script.Mode);
        Assert.AreEqual(10, script.Size);
        Assert.AreEqual((time - DateTime.UnixEpoch).Ticks * 100, script.ModTime);
        Assert.AreEqual(0u, script.Uid);
        Assert.AreEqual(0u, script.Gid);
        Assert.AreEqual(GoFileMode.Directory, entries["app"].Stat.Mode & GoFileMode.Directory);
        Assert.AreEqual(0, entries["app"].Stat.Size);
        var link = entries["link"].Stat;
        Assert.AreEqual(GoFileMode.Symlink | 0x1FF, link.Mode);
        Assert.AreEqual("app/run.sh", link.Linkname);
        Assert.AreEqual("app/run.sh".Length, link.Size, "lstat's size of a link is its target's length");
        Assert.IsFalse(entries["link"].IsRegularFile);
    }

    [TestMethod]
    public void ExclusionsLeaveFilesOutAndAnExceptionBringsItsFoldersBack()
    {
        using var dir = new TempDirectory();
        foreach (var file in new[] { "bin/a.dll", "obj/keep/me.txt", "obj/other.txt", "src/app.cs", "big.iso" })
        {
            dir.Write(file, "x");
        }

        var directory = FileSyncDirectory.OnDisk(dir.Path, DockerIgnore.Parse("bin/\nobj\n!obj/keep/me.txt\n*.iso\n"));
        var paths = directory.Walk(Request(), CancellationToken.None).Select(e => e.Path).ToList();

        CollectionAssert.AreEqual(new[] { "obj", "obj/keep", "obj/keep/me.txt", "src", "src/app.cs" }, paths);
    }

    [TestMethod]
    public void ClientExclusionsReplaceTheEnginesUnlessItOverridesThem()
    {
        using var dir = new TempDirectory();
        dir.Write("a.log", "x");
        dir.Write("b.txt", "x");
        var directory = FileSyncDirectory.OnDisk(dir.Path, DockerIgnore.Parse("*.log\n"));

        var replaced = directory.Walk(Request(exclude: ["*.txt"]), CancellationToken.None).Select(e => e.Path);
        var overridden = directory.Walk(Request(exclude: ["*.txt"], overrideExcludes: true), CancellationToken.None).Select(e => e.Path);

        CollectionAssert.AreEqual(new[] { "b.txt" }, replaced.ToList());
        CollectionAssert.AreEqual(new[] { "a.log" }, overridden.ToList());
    }

    [TestMethod]
    public void IncludePatternsSelectPathsAndTheFoldersLeadingToThem()
    {
        using var dir = new TempDirectory();
        foreach (var file in new[] { ".dockerignore", "src/App/App.csproj", "src/App/Program.cs", "src/Lib/Lib.csproj", "tests/T.csproj" })
        {
            dir.Write(file, "x");
        }

        var directory = FileSyncDirectory.OnDisk(dir.Path, null);

        CollectionAssert.AreEqual(new[] { ".dockerignore" }, Paths(directory, Request(include: [".dockerignore"])));
        CollectionAssert.AreEqual(
            new[] { "src", "src/App", "src/App/App.csproj", "src/Lib", "src/Lib/Lib.csproj" },
            Paths(directory, Request(include: ["src/*/*.csproj"])));
        CollectionAssert.AreEqual(
            new[] { "src", "src/App", "src/App/App.csproj", "src/App/Program.cs" },
            Paths(directory, Request(followPaths: ["src/App"])));
    }

    [TestMethod]
    public void FollowPathThroughALinkAlsoSendsItsTarget()
    {
        using var dir = new TempDirectory();
        dir.Write("real/app.txt", "x");
        dir.Write("other.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "app"), "real");

        var paths = Paths(FileSyncDirectory.OnDisk(dir.Path, null), Request(followPaths: ["app/app.txt"]));

        CollectionAssert.AreEqual(new[] { "app", "real", "real/app.txt" }, paths);
    }

    [TestMethod]
    public void InMemoryFileKeepsItsStatUntilItsContentChanges()
    {
        var first = FileSyncDirectory.InMemory(("Dockerfile", "FROM a\n"u8.ToArray())).Walk(Request(), CancellationToken.None).Single().Stat;
        var same = FileSyncDirectory.InMemory(("Dockerfile", "FROM a\n"u8.ToArray())).Walk(Request(), CancellationToken.None).Single().Stat;
        var edited = FileSyncDirectory.InMemory(("Dockerfile", "FROM b\n"u8.ToArray())).Walk(Request(), CancellationToken.None).Single().Stat;

        Assert.AreEqual(first, same);
        Assert.AreEqual(first.Size, edited.Size);
        Assert.AreNotEqual(first.ModTime, edited.ModTime, "same size, other bytes: BuildKit must see a change");
        Assert.AreEqual(0, FileSyncDirectory.InMemory(("Dockerfile", "x"u8.ToArray())).Walk(Request(include: ["other"]), CancellationToken.None).Count);
    }

    [TestMethod]
    public void RequestOptionsAreReadFromTheCallMetadata()
    {
        var request = FileSyncRequest.From([
            (":path", FileSyncService.DiffCopyMethod),
            ("dir-name", "context"),
            ("exclude-patterns", "bin"),
            ("exclude-patterns", "obj"),
            ("followpaths", "src%2F%C3%BC+x"),
            ("followpaths-encoded", "1"),
            ("override-excludes", "true"),
            ("include-patterns", System.Text.Encoding.Latin1.GetString(System.Text.Encoding.UTF8.GetBytes("src/ümlaut\\*"))),
        ]);

        Assert.AreEqual("context", request.DirectoryName);
        CollectionAssert.AreEqual(new[] { "bin", "obj" }, request.ExcludePatterns.ToList());
        CollectionAssert.AreEqual(new[] { "src/ü x" }, request.FollowPaths.ToList());
        CollectionAssert.AreEqual(new[] { "src/ümlaut\\*" }, request.IncludePatterns.ToList(), "raw UTF-8, as Docker 20.10's BuildKit sends it");
        Assert.IsTrue(request.OverrideExcludes);
    }

    internal static FileSyncRequest Request(string[]? include = null, string[]? exclude = null, string[]? followPaths = null, bool overrideExcludes = false) =>
        new("context", include ?? [], exclude ?? [], followPaths ?? [], overrideExcludes);

    private static IReadOnlyList<FileSyncEntry> Walk(string root) => FileSyncDirectory.OnDisk(root, null).Walk(Request(), CancellationToken.None);

    private static List<string> Paths(FileSyncDirectory directory, FileSyncRequest request) =>
        directory.Walk(request, CancellationToken.None).Select(e => e.Path).ToList();

    /// <summary>
    /// fsutil's receiver-side check (validator.go): relative clean paths; within a folder each name after the
    /// previous one in byte order; a path's folder must be the folder last opened or one above it.
    /// </summary>
    private static void AssertFsutilOrder(IReadOnlyList<string> paths, ISet<string> directories)
    {
        var open = new List<(string Dir, byte[] Last)> { (string.Empty, []) };
        foreach (var path in paths)
        {
            Assert.AreEqual(GoPath.Clean(path), path);
            var slash = path.LastIndexOf('/');
            var parent = slash < 0 ? string.Empty : path[..slash];
            var name = System.Text.Encoding.UTF8.GetBytes(path[(slash + 1)..]);
            while (open[^1].Dir != parent)
            {
                open.RemoveAt(open.Count - 1);
                Assert.IsTrue(open.Count > 0, $"{path} comes outside the folder it belongs to");
            }

            Assert.IsTrue(name.AsSpan().SequenceCompareTo(open[^1].Last) > 0, $"{path} is out of order");
            open[^1] = (parent, name);
            if (directories.Contains(path))
            {
                open.Add((path, []));
            }
        }
    }
}
