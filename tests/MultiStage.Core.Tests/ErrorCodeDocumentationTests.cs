using MultiStage.Diagnostics;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ErrorCodeDocumentationTests
{
    [TestMethod]
    public void CodesAreUniqueAndDocumentedAndEachDocumentedCodeExists() =>
        ErrorCodeDocumentation.AssertMatch(ErrorCodeDocumentation.Codes(typeof(ErrorCodes)), "errors.md");
}
