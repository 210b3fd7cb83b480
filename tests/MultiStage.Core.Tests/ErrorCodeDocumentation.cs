using System.Reflection;
using System.Text.RegularExpressions;

namespace MultiStage.Core.Tests;

/// <summary>
/// Ties a class of MSTAGEnnn constants to the table of a docs page, both ways. Shared by the Core and Engine tests
/// (linked), each for its own codes and page.
/// </summary>
internal static class ErrorCodeDocumentation
{
    /// <summary>The values of the public string constants of <paramref name="holder"/>.</summary>
    public static List<string> Codes(Type holder) =>
        holder.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    /// <summary>The codes the first column of the tables of docs/<paramref name="page"/> lists, in order.</summary>
    public static List<string> Documented(string page)
    {
        var doc = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", page));
        return Regex.Matches(doc, @"^\| (MSTAGE\d{3}) \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
    }

    /// <summary>Each code is unique and documented once on <paramref name="page"/>, and each documented code is defined.</summary>
    public static void AssertMatch(List<string> codes, string page)
    {
        Assert.IsTrue(codes.Count > 0, "no codes found");
        Assert.IsTrue(codes.All(c => Regex.IsMatch(c, @"^MSTAGE\d{3}$")), "a code is not of the form MSTAGEnnn");
        CollectionAssert.AllItemsAreUnique(codes, "duplicate code");
        var documented = Documented(page);
        CollectionAssert.AllItemsAreUnique(documented, $"a code is documented twice in docs/{page}");
        foreach (var code in codes)
        {
            CollectionAssert.Contains(documented, code, $"{code} is not documented in docs/{page}");
        }

        foreach (var code in documented)
        {
            CollectionAssert.Contains(codes, code, $"docs/{page} documents {code}, which no code defines");
        }
    }
}
