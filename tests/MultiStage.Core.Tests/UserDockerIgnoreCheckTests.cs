using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.Inference;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class UserDockerIgnoreCheckTests
{
    private static readonly string[] Copied = ["App/App.csproj", "App/", "Directory.Build.props"];

    private static List<(string Code, string Message)> Check(string? userIgnore, bool generatedIgnore = false)
    {
        var root = Directory.CreateTempSubdirectory("msignore-check-").FullName;
        try
        {
            var path = Path.Combine(root, ".dockerignore");
            if (userIgnore is not null)
            {
                File.WriteAllText(path, userIgnore);
            }

            var result = new GenerationResult
            {
                ContextRoot = root,
                DockerfilePath = Path.Combine(root, "Dockerfile"),
                DockerfileText = "",
                DockerIgnorePath = path,
                DockerIgnoreText = generatedIgnore ? userIgnore : null,
                Repository = "app",
                Tags = ["latest"],
                Images = new ImageChoice { SdkImage = "sdk", RuntimeImage = "runtime" },
                CopiedPaths = Copied,
            };
            var log = new TestLog();
            UserDockerIgnoreCheck.Warn(result, log);
            return log.Warnings;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void EachCopiedPathTheUserFileExcludesIsOneWarning()
    {
        var warnings = Check("*.props\nApp\n!App/App.csproj\n");
        Assert.IsTrue(warnings.All(w => w.Code == ErrorCodes.DockerIgnoreExcludesInput));
        CollectionAssert.AreEquivalent(new[] { "App/", "Directory.Build.props" }, Copied.Where(p => warnings.Any(w => w.Message.Contains($"'{p}'", StringComparison.Ordinal))).ToArray());
    }

    [TestMethod]
    public void AFileThatExcludesNothingCopiedOrNoFileOrAGeneratedFileIsQuiet()
    {
        Assert.AreEqual(0, Check("bin/\nobj/\n").Count);
        Assert.AreEqual(0, Check(null).Count);
        Assert.AreEqual(0, Check("*\n", generatedIgnore: true).Count, "the generated file is the generator's own business");
    }

    [TestMethod]
    public void AMalformedUserFileIsAWarningNotAFailure()
    {
        var warnings = Check("[unterminated\n");
        Assert.AreEqual(1, warnings.Count);
        StringAssert.Contains(warnings[0].Message, "cannot be read as a .dockerignore");
    }
}
