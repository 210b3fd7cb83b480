using System.Reflection;
using System.Text.RegularExpressions;
using MultiStage.Diagnostics;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ErrorCodeDocumentationTests
{
    [TestMethod]
    public void CodesAreUniqueAndEachIsDocumented()
    {
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();
        Assert.AreEqual(codes.Count, codes.Distinct().Count(), "duplicate code");
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "errors.md"));
        var documented = Regex.Matches(doc, @"^\| (MSTAGE\d{3}) \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.AreEqual(documented.Count, documented.Distinct().Count(), "a code is documented twice");
        foreach (var code in codes)
        {
            CollectionAssert.Contains(documented, code, $"{code} is not documented in docs/errors.md");
        }
    }
}
