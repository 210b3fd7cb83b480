using System.Globalization;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Context;

/// <summary>
/// A build context that is large takes long to send on every build, often for files the image never uses (a dump,
/// a database, a video): past a size (MultiStageContextSizeWarning), the build warns and names the largest files.
/// </summary>
public static class ContextSizeWarning
{
    /// <summary>100 MB: a context that takes a second or more to send to a local engine.</summary>
    public const long DefaultThreshold = 100_000_000;

    /// <summary>How many of the largest files the warning names.</summary>
    public const int LargestFileCount = 5;

    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KIB", 1L << 10), ("MIB", 1L << 20), ("GIB", 1L << 30),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ];

    /// <summary>
    /// The threshold in bytes from the property's text: a number of bytes, or one with a unit (kB, MB, GB decimal;
    /// KiB, MiB, GiB binary); 0 turns the warning off; empty is the default.
    /// </summary>
    /// <exception cref="EngineException">With <see cref="EngineErrorCodes.InvalidRequest"/> for any other text.</exception>
    public static long ParseThreshold(string text)
    {
        var value = text.Trim();
        if (value.Length == 0)
        {
            return DefaultThreshold;
        }

        long factor = 1;
        foreach (var (suffix, unitFactor) in Units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                factor = unitFactor;
                value = value.Substring(0, value.Length - suffix.Length).TrimEnd();
                break;
            }
        }

        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number > long.MaxValue / factor)
        {
            throw new EngineException(
                EngineErrorCodes.InvalidRequest,
                $"MultiStageContextSizeWarning '{text}' is not a size: give bytes (150000000) or a size with a unit (150MB, 2GB, 512MiB), or 0 to turn the warning off.");
        }

        return (long)(number * factor);
    }

    /// <summary>The warning for a context that was larger than <paramref name="threshold"/> bytes, or null (also for a threshold of 0).</summary>
    /// <param name="result">The context sent: its size is the archive's, or that of the files BuildKit was offered through its session.</param>
    /// <param name="threshold">Bytes.</param>
    /// <param name="synchronized">Whether BuildKit synced the context through a session rather than receiving an archive.</param>
    public static string? Message(BuildContextResult result, long threshold, bool synchronized = false)
    {
        if (threshold <= 0 || result.BytesWritten <= threshold)
        {
            return null;
        }

        var largest = string.Join(", ", result.LargestFiles.Select(f => $"{f.Path} ({EngineClient.FormatSize(f.Size)})"));
        var example = result.LargestFiles.Count > 0 ? result.LargestFiles[0].Path : "big-file";
        var what = synchronized
            ? $"The build context is {EngineClient.FormatSize(result.BytesWritten)}, more than {EngineClient.FormatSize(threshold)}: BuildKit keeps a copy of it, fetches every changed file of it, and COPY steps carry it into the image's layers. "
            : $"The build context sent to the engine is {EngineClient.FormatSize(result.BytesWritten)}, more than {EngineClient.FormatSize(threshold)}, and is sent again on every build. ";
        return what +
            $"Its largest files: {largest}. Exclude what the image does not need with a MultiStageDockerIgnore item (<MultiStageDockerIgnore Include=\"{example}\" />) or in .dockerignore, " +
            "or raise MultiStageContextSizeWarning (0 turns this warning off).";
    }
}
