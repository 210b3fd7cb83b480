using MultiStage.Dockerfiles;
using MultiStage.Generation;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>ContainerPackage, ContainerFile and ContainerWritableDirectory: what the runtime stage adds before the app.</summary>
[TestClass]
public sealed class RuntimeAdditionsTests
{
    private static GenerationResult? Generate(RepoFixture repo, ContainerSettings settings, TestLog? log = null) =>
        Generator.Generate(repo.Project(), settings, repo.ExternalRoots, false, log ?? new TestLog());

    private static string FinalStage(string dockerfile) => dockerfile.Substring(dockerfile.IndexOf(" AS final\n", StringComparison.Ordinal));

    private static PackageItem[] Packages(params string[] names) => names.Select(n => new PackageItem(n, "")).ToArray();

    [TestMethod]
    [DataRow("trixie-slim", "RUN apt-get update \\\n    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n        curl=8.14.1-2 \\\n        'libgdiplus=1:6.1~x' \\\n    && rm -rf /var/lib/apt/lists/*\n")]
    [DataRow("alpine", "RUN apk add --no-cache \\\n        curl=8.14.1-2 \\\n        'libgdiplus=1:6.1~x'\n")]
    [DataRow("azurelinux3.0", "RUN tdnf install -y \\\n        curl-8.14.1-2 \\\n        'libgdiplus-1:6.1~x' \\\n    && tdnf clean all\n")]
    public void PackagesAreOneRunRightAfterFrom(string family, string run)
    {
        using var repo = new RepoFixture();
        var text = FinalStage(Generate(repo, repo.Settings() with
        {
            ContainerFamily = family,
            Packages = new[] { new PackageItem("libgdiplus", "1:6.1~x"), new PackageItem("curl", "8.14.1-2") },
            Labels = new[] { new KeyValuePair<string, string>("org.opencontainers.image.version", "1.0") },
        })!.DockerfileText);
        StringAssert.StartsWith(text, " AS final\n# OS packages (ContainerPackage), in a layer that changes only with this list.\n" + run + "WORKDIR \"/app/\"\n");
        Assert.IsFalse(text.Contains("USER root"), "Microsoft's images with a package manager run as root until USER");
    }

    [TestMethod]
    public void AnImageOfAnotherVendorInstallsAsRootAndRunsAsTheAppUser()
    {
        using var repo = new RepoFixture();
        var text = FinalStage(Generate(repo, repo.Settings() with { ContainerBaseImage = "registry.example/team/debian-dotnet:1", Packages = Packages("tini") })!.DockerfileText);
        StringAssert.StartsWith(text, " AS final\n# OS packages (ContainerPackage), in a layer that changes only with this list.\nUSER \"root\"\nRUN apt-get update");
        StringAssert.Contains(text, "\nUSER ${APP_UID:-1654}\nENTRYPOINT");
    }

    [TestMethod]
    [DataRow("", "", "MSTAGE148")]
    [DataRow("noble-chiseled", "", "MSTAGE148")]
    [DataRow("azurelinux3.0-distroless", "", "MSTAGE148")]
    [DataRow("", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", "MSTAGE148")]
    [DataRow("", "registry.example/team/base:1", "MSTAGE155")]
    [DataRow("bookworm-slim", "registry.example/team/base:1", "")]
    [DataRow("", "mcr.microsoft.com/dotnet/aspnet:10.0", "")]
    public void PackagesNeedAPackageManagerThatIsKnown(string family, string baseImage, string code)
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Generate(repo, repo.Settings() with { ContainerFamily = family, ContainerBaseImage = baseImage, Packages = Packages("tini", "curl") }, log);
        Assert.AreEqual(code, log.ErrorCodes);
        if (code == "MSTAGE148")
        {
            StringAssert.Contains(log.Errors[0].Message, "curl, tini");
            StringAssert.Contains(log.Errors[0].Message, "ContainerFamily=noble or trixie-slim");
        }
    }

    [TestMethod]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0", PackageManager.Apt)]
    [DataRow("127.0.0.1:5000/dotnet/runtime:10.0", PackageManager.Apt)]
    [DataRow("mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra", PackageManager.None)]
    [DataRow("mcr.microsoft.com/dotnet/runtime-deps:10.0-azurelinux3.0-distroless", PackageManager.None)]
    [DataRow("gcr.io/distroless/base-debian12", PackageManager.None)]
    [DataRow("mcr.microsoft.com/dotnet/aspnet:10.0-alpine3.22", PackageManager.Apk)]
    [DataRow("alpine:3.22", PackageManager.Apk)]
    [DataRow("mcr.microsoft.com/azurelinux/base/core:3.0", PackageManager.Tdnf)]
    [DataRow("ubuntu:24.04", PackageManager.Apt)]
    [DataRow("debian:trixie-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", PackageManager.Apt)]
    [DataRow("ubuntu.example:5000/team/base:1", PackageManager.Unknown)]
    [DataRow("registry.example/team/base:1", PackageManager.Unknown)]
    public void ThePackageManagerIsToldByTheImagesName(string image, PackageManager manager) =>
        Assert.AreEqual(manager, PackageManagers.OfImage(image));

    [TestMethod]
    [DataRow("trixie-slim", "tini;rm -rf /", "")]
    [DataRow("trixie-slim", "-o", "")]
    [DataRow("trixie-slim", "a b", "")]
    [DataRow("trixie-slim", "Tini", "")]
    [DataRow("trixie-slim", "tini", "1.0 && id")]
    [DataRow("trixie-slim", "tini", "-1")]
    [DataRow("alpine", "tini:amd64", "")]
    public void APackageTheManagerWouldNotReadAsOneIsMSTAGE156(string family, string name, string version)
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings() with { ContainerFamily = family, Packages = new[] { new PackageItem(name, version) } }, log));
        Assert.AreEqual("MSTAGE156", log.ErrorCodes);
    }

    [TestMethod]
    public void FilesAndWritableFoldersAreCopiesOwnedByTheAppUserBeforeTheApp()
    {
        using var repo = new RepoFixture();
        var text = Generate(repo, repo.Settings() with
        {
            Files = new[] { new FileItem(repo.P("shared/Linked.cs"), "/etc/app/linked.cs", "640"), new FileItem(repo.P("src/App/Program.cs"), "/etc/app/", "") },
            WritableDirectories = new[] { "/var/lib/app/", "/tmp/app cache" },
        })!.DockerfileText;
        StringAssert.Contains(text, "\n\n# An empty folder: each ContainerWritableDirectory is a COPY of it, owned by the app user, which needs no shell in the image.\n" +
            "FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS empty\nWORKDIR \"/multistage/empty/\"\n\n" +
            "FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS final\nWORKDIR \"/app/\"\n" +
            "# Files and writable folders of the app user (ContainerFile, ContainerWritableDirectory): they change rarely.\n" +
            "COPY --chown=$APP_UID --chmod=0640 [\"shared/Linked.cs\", \"/etc/app/linked.cs\"]\n" +
            "COPY --chown=$APP_UID [\"src/App/Program.cs\", \"/etc/app/\"]\n" +
            "COPY --from=empty --chown=$APP_UID [\"/multistage/empty/\", \"/var/lib/app/\"]\n" +
            "COPY --from=empty --chown=$APP_UID [\"/multistage/empty/\", \"/tmp/app cache/\"]\n" +
            "EXPOSE 8080/tcp\n");
        Assert.IsFalse(text.Contains("RUN mkdir"), "no shell in a chiseled image");

        var own = Generate(repo, repo.Settings() with { ContainerUser = "1000:1000", Files = new[] { new FileItem(repo.P("src/App/Program.cs"), "/p", "") } })!.DockerfileText;
        StringAssert.Contains(own, "COPY --chown=1000:1000 [\"src/App/Program.cs\", \"/p\"]\n");
    }

    [TestMethod]
    [DataRow("src/App/missing.json", "/etc/app/x", "", "")]
    [DataRow("src/App/Program.cs", "", "", "")]
    [DataRow("src/App/Program.cs", "etc/app/x", "", "")]
    [DataRow("src/App/Program.cs", "/etc/../x", "", "")]
    [DataRow("src/App/Program.cs", "/etc/app/x", "rw-r-----", "")]
    [DataRow("src/App/Program.cs", "/etc/app/x", "0640", "Classic")]
    [DataRow("src/App/obj/App.csproj.nuget.g.props", "/etc/app/x", "", "")]
    [DataRow("../NuGet.config", "/etc/app/x", "", "")]
    public void AFileThatCannotBeCopiedIsMSTAGE157(string file, string destination, string mode, string builder)
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings() with { Builder = builder, Files = new[] { new FileItem(Path.GetFullPath(repo.P(file)), destination, mode) } }, log));
        Assert.AreEqual("MSTAGE157", log.ErrorCodes);
    }

    [TestMethod]
    [DataRow("relative/dir")]
    [DataRow("/")]
    [DataRow("/var/../etc")]
    public void AWritableFolderMustBeAbsoluteBelowTheRoot(string folder)
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings() with { WritableDirectories = new[] { folder } }, log));
        Assert.AreEqual("MSTAGE157", log.ErrorCodes);
    }

    /// <summary>
    /// The property behind <see cref="GeneratorTests.NoValueCanInjectAnInstruction"/>, for the new values: whatever a
    /// package, version, destination or folder holds, the generation is refused with a code or has the same
    /// instructions as with an ordinary value, each value arriving as one word.
    /// </summary>
    [TestMethod]
    public void NoPackageFileOrFolderValueAddsAnInstruction()
    {
        var hostile = new[]
        {
            "x\nRUN id", "x\r\nRUN id", "a\u2028b", "a\0b", "a b", "a'b", "a\"b", "a`id`", "$HOME", "${X:-y}", "$(id)", "a\\", "\\\n",
            "a\"]", "[\"sh\"]", "#x", "-x", "--flag", "a=b", "a;b", "a&&b", "a|b", "a>b", "*", "../x", "ü", new string('a', 5000),
        };
        using var repo = new RepoFixture();
        var program = repo.P("src/App/Program.cs");
        var channels = new (string Benign, Func<string, ContainerSettings> Set)[]
        {
            ("plain", v => repo.Settings() with { ContainerFamily = "trixie-slim", Packages = new[] { new PackageItem(v, "") } }),
            ("plain", v => repo.Settings() with { ContainerFamily = "alpine", Packages = new[] { new PackageItem("tini", v) } }),
            ("plain", v => repo.Settings() with { Files = new[] { new FileItem(program, "/etc/" + v, "") } }),
            ("0640", v => repo.Settings() with { Files = new[] { new FileItem(program, "/etc/x", v) } }),
            ("plain", v => repo.Settings() with { WritableDirectories = new[] { "/var/" + v } }),
        };
        foreach (var (benign, channel) in channels)
        {
            var reference = Instructions(Generate(repo, channel(benign))!.DockerfileText);
            foreach (var value in hostile)
            {
                var log = new TestLog();
                var result = Generate(repo, channel(value), log);
                if (result is null)
                {
                    Assert.AreEqual(1, log.Errors.Count, $"'{value}': {string.Join("; ", log.Errors)}");
                    StringAssert.StartsWith(log.Errors[0].Code, "MSTAGE1");
                    continue;
                }

                CollectionAssert.AreEqual(reference, Instructions(result.DockerfileText), $"'{value}' changed the instructions:\n{result.DockerfileText}");
            }
        }
    }

    /// <summary>Each logical line's keyword and its number of top-level words outside quotes: what an injected value would change.</summary>
    private static List<string> Instructions(string dockerfile) =>
        dockerfile.Replace("\\\n", " ").Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ')[0] + "/" + ShellCommandShape(l)).ToList();

    private static int ShellCommandShape(string line)
    {
        var words = 0;
        var quote = '\0';
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                words += inWord ? 0 : 1;
                inWord = true;
            }
            else if (c == ' ')
            {
                inWord = false;
            }
            else
            {
                words += inWord ? 0 : 1;
                inWord = true;
            }
        }

        return words;
    }

    /// <summary>The inner loop's context is its own folder: each ContainerFile is copied there, under a folder of its own.</summary>
    [TestMethod]
    public void TheInnerLoopCopiesTheFilesIntoItsContext()
    {
        using var repo = new RepoFixture();
        var dir = repo.P("obj/innerloop");
        repo.Write("obj/innerloop/layers/app/App.dll", "app");
        repo.Write("src/App/Program.cs", "first");
        var settings = repo.Settings() with
        {
            Files = new[] { new FileItem(repo.P("src/App/Program.cs"), "/etc/app/program.cs", "0600") },
            WritableDirectories = new[] { "/var/lib/app" },
        };
        var text = File.ReadAllText(Generator.GenerateInnerLoop(repo.Project(web: false), settings, dir, new TestLog())!.DockerfilePath);
        StringAssert.Contains(text, "COPY --chown=$APP_UID --chmod=0600 [\"container-files/0/Program.cs\", \"/etc/app/program.cs\"]\n");
        StringAssert.Contains(text, " AS empty\nWORKDIR \"/multistage/empty/\"\n\nFROM ");
        Assert.AreEqual("first", File.ReadAllText(Path.Combine(dir, "container-files", "0", "Program.cs")));
        repo.Write("src/App/Program.cs", "second");
        Generator.GenerateInnerLoop(repo.Project(web: false), settings, dir, new TestLog());
        Assert.AreEqual("second", File.ReadAllText(Path.Combine(dir, "container-files", "0", "Program.cs")));
    }

    /// <summary>A Mode needs BuildKit: an image build that may meet the classic builder gets no classic rendering, and without Mode it does.</summary>
    [TestMethod]
    public void AModeLeavesOutTheClassicRendering()
    {
        using var repo = new RepoFixture();
        var classic = repo.P("obj/classic.Dockerfile");
        var file = new FileItem(repo.P("src/App/Program.cs"), "/etc/app/program.cs", "0600");
        var withMode = Generator.Generate(repo.Project(), repo.Settings() with { Files = new[] { file } }, repo.ExternalRoots, false, new TestLog(), classic)!;
        Assert.IsNull(withMode.ClassicDockerfilePath);
        var without = Generator.Generate(repo.Project(), repo.Settings() with { Files = new[] { file with { Mode = "" } } }, repo.ExternalRoots, false, new TestLog(), classic)!;
        StringAssert.Contains(without.ClassicDockerfileText, "COPY --chown=$APP_UID [\"src/App/Program.cs\", \"/etc/app/program.cs\"]\n");
    }

    [TestMethod]
    public void InstallCommandsQuoteEveryValue() =>
        Assert.AreEqual("apk add --no-cache 'a b' 'c=$(id)'", RuntimeAdditions.InstallCommand(PackageManager.Apk, new[] { new OsPackage("a b", null), new OsPackage("c", "$(id)") }).ToString());
}
