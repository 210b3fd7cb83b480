using MultiStage.Engine.Session.Http2;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// What BuildKit asks of one DiffCopy call, from the call's gRPC metadata (moby/buildkit session/filesync): the
/// directory by name, and the include, exclude and follow-path lists that narrow it. A list whose values carry
/// characters outside ASCII arrives URL-encoded, flagged by a "<c>&lt;key&gt;-encoded</c>" key.
/// </summary>
internal sealed record FileSyncRequest(
    string DirectoryName,
    IReadOnlyList<string> IncludePatterns,
    IReadOnlyList<string> ExcludePatterns,
    IReadOnlyList<string> FollowPaths,
    bool OverrideExcludes)
{
    public static FileSyncRequest From(GrpcServerCall call) => From(call.Headers);

    public static FileSyncRequest From(IReadOnlyList<(string Name, string Value)> headers)
    {
        IReadOnlyList<string> Values(string key)
        {
            // HPACK strings are bytes (decoded as Latin-1): BuildKit before the "-encoded" flag sends paths as raw UTF-8.
            var values = headers.Where(h => h.Name == key).Select(h => Utf8(h.Value)).ToList();
            var encoded = headers.LastOrDefault(h => h.Name == key + "-encoded").Value;
            return bool.TryParse(encoded, out var isEncoded) && isEncoded || encoded == "1"
                ? values.Select(v => Uri.UnescapeDataString(v.Replace('+', ' '))).ToList()
                : values;
        }

        return new FileSyncRequest(
            Values("dir-name").FirstOrDefault() ?? string.Empty,
            Values("include-patterns"),
            Values("exclude-patterns"),
            Values("followpaths"),
            Values("override-excludes").FirstOrDefault() == "true");
    }

    private static string Utf8(string latin1)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(latin1);
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return latin1;
        }
    }
}
