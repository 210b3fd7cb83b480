using System.Text.RegularExpressions;

namespace MultiStage.Engine.BuildOutput;

/// <summary>The terminal escape sequences builders put in step output.</summary>
internal static partial class AnsiText
{
    /// <summary>Classic builder: stderr starts here.</summary>
    public const string StderrStart = "\u001b[91m";

    /// <summary>Classic builder: colour reset, the end of stderr.</summary>
    public const string Reset = "\u001b[0m";

    /// <summary>The text without escape sequences.</summary>
    public static string Strip(string text) => text.Contains('\u001b') ? Escape().Replace(text, string.Empty) : text;

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    public static partial Regex Escape();
}
