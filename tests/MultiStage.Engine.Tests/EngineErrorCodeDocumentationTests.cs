using MultiStage.Core.Tests;
using MultiStage.Diagnostics;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class EngineErrorCodeDocumentationTests
{
    [TestMethod]
    public void CodesAreUniqueAndDocumentedAndEachDocumentedCodeExists() =>
        ErrorCodeDocumentation.AssertMatch(ErrorCodeDocumentation.Codes(typeof(EngineErrorCodes)), "errors-engine.md");

    [TestMethod]
    public void NoCodeIsBothAGenerationAndAnEngineCode()
    {
        var shared = ErrorCodeDocumentation.Codes(typeof(ErrorCodes)).Intersect(ErrorCodeDocumentation.Codes(typeof(EngineErrorCodes))).ToList();
        Assert.AreEqual(0, shared.Count, $"defined twice: {string.Join(", ", shared)}");
    }
}
