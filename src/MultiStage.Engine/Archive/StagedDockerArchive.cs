using System.Formats.Tar;
using System.Security.Cryptography;

namespace MultiStage.Engine.Archive;

/// <summary>One file of a staged archive: where it is on disk, its sha256 digest and its size.</summary>
internal sealed record StagedBlob(string Path, string Digest, long Size)
{
    /// <summary>The digest's hex part, the blob's name under blobs/sha256/.</summary>
    public string Hex => Digest["sha256:".Length..];
}

/// <summary>
/// The files of a <c>docker save</c> archive, streamed to a staging folder with each file's sha256 computed as it is
/// written. The engine sends manifest.json last, so the files are kept until it names which is the config and which
/// are the layers. Identical files are kept once.
/// </summary>
internal sealed class StagedDockerArchive
{
    private readonly Dictionary<string, StagedBlob> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    private StagedDockerArchive()
    {
    }

    /// <summary>Reads <paramref name="dockerArchive"/> to its end, staging its files in <paramref name="directory"/> (which must exist).</summary>
    /// <exception cref="InvalidDataException">The stream is not a tar archive.</exception>
    public static async Task<StagedDockerArchive> ReadAsync(Stream dockerArchive, string directory, CancellationToken cancellationToken)
    {
        var staged = new StagedDockerArchive();
        var buffer = new byte[81920];
        var reader = new TarReader(dockerArchive, leaveOpen: true);
        var index = 0;
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var name = Normalize(entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    staged._files[name] = await StageAsync(entry.DataStream ?? Stream.Null, Path.Combine(directory, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture)), directory, buffer, cancellationToken).ConfigureAwait(false);
                    break;
                case TarEntryType.SymbolicLink:
                    // docker save links a layer that appears twice to its first copy, relative to the link's folder.
                    staged._links[name] = Normalize(CombineLink(name, entry.LinkName));
                    break;
                case TarEntryType.HardLink:
                    staged._links[name] = Normalize(entry.LinkName);
                    break;
            }
        }

        return staged;
    }

    /// <summary>The staged file an archive path names, following links; null when there is none.</summary>
    public StagedBlob? Find(string name)
    {
        var current = Normalize(name);
        for (var hops = 0; hops < 16; hops++)
        {
            if (_files.TryGetValue(current, out var blob))
            {
                return blob;
            }

            if (!_links.TryGetValue(current, out var target))
            {
                return null;
            }

            current = target;
        }

        return null;
    }

    private static async Task<StagedBlob> StageAsync(Stream data, string path, string directory, byte[] buffer, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            int read;
            while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                size += read;
            }
        }

        var hex = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        var final = Path.Combine(directory, hex);
        if (File.Exists(final))
        {
            File.Delete(path);
        }
        else
        {
            File.Move(path, final);
        }

        return new StagedBlob(final, "sha256:" + hex, size);
    }

    private static string CombineLink(string name, string target)
    {
        if (target.StartsWith('/'))
        {
            return target;
        }

        var slash = name.LastIndexOf('/');
        return slash < 0 ? target : name[..(slash + 1)] + target;
    }

    /// <summary>A path inside the archive without "./", leading "/" and ".." segments resolved.</summary>
    internal static string Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }
}
