namespace MultiStage.Dockerfiles;

/// <summary>The characters no Dockerfile line, .dockerignore line or written path can carry, found and shown in one way.</summary>
internal static class ControlCharacters
{
    /// <summary>The first line break or other control character (NUL and tab among them) as U+XXXX; null when there is none.</summary>
    public static string? First(string value) =>
        value.Where(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085').Select(c => $"U+{(int)c:X4}").FirstOrDefault();

    /// <summary>The value with each control character shown as &lt;U+XXXX&gt;, so a message never carries a raw line break or NUL.</summary>
    public static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"<U+{(int)c:X4}>" : c.ToString()));
}
