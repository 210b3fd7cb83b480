using System.Formats.Tar;
using MultiStage.Engine.Client;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>The files of a build context exactly as the engine client sends it, its .dockerignore applied.</summary>
internal static class BuildContextFiles
{
    /// <summary>The context's files (not folders), relative to <paramref name="dir"/> with '/' separators.</summary>
    public static List<string> AsSent(string dir)
    {
        using var stream = new MemoryStream();
        new DirectoryBuildContext(dir).WriteTarAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        stream.Position = 0;
        var files = new List<string>();
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                // Only the "./" prefix goes: names such as ".editorconfig" start with a dot themselves.
                files.Add(entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name.Substring(2) : entry.Name.TrimStart('/'));
            }
        }

        return files;
    }
}
