using MultiStage.Generation;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class BuildStagePathsTests
{
    [TestMethod]
    public void APathUnderTheSourceRootIsTheSameFileUnderTheContext()
    {
        Assert.AreEqual("/home/me/repo/src/App/Program.cs", BuildStagePaths.ToHost("/src/src/App/Program.cs", "/home/me/repo"));
        Assert.AreEqual("/home/me/repo/My App.csproj", BuildStagePaths.ToHost("/src/My App.csproj", "/home/me/repo/"));
    }

    [TestMethod]
    public void OtherPathsStayAsPrinted()
    {
        foreach (var path in new[] { "/usr/share/dotnet/sdk/10.0.100/Microsoft.Common.targets", "MSBUILD", "/srcx/a.cs", "/src/../etc/passwd", "/nuget/packages/x/1.0.0/build/x.targets" })
        {
            Assert.AreEqual(path, BuildStagePaths.ToHost(path, "/home/me/repo"), path);
        }
    }
}
