namespace MultiStage.IO;

/// <summary>
/// The file writes the generator makes, in one place, so a test can make the N-th one fail the way a full disk does
/// and check that a failed run leaves nothing half-written behind.
/// </summary>
internal static class FileWrites
{
    // Per async flow, so tests running in parallel do not fail each other's writes.
    private static readonly AsyncLocal<Countdown?> Fault = new();

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        Before(path);
        File.WriteAllBytes(path, bytes);
    }

    public static void Copy(string from, string to)
    {
        Before(to);
        File.Copy(from, to, overwrite: false);
    }

    /// <summary>For tests: the write after <paramref name="writes"/> successful ones, and every later one, throws an IOException.</summary>
    internal static IDisposable FailAfter(int writes)
    {
        var countdown = new Countdown { Remaining = writes };
        Fault.Value = countdown;
        return countdown;
    }

    private static void Before(string path)
    {
        if (Fault.Value is { } countdown && countdown.Remaining-- <= 0)
        {
            throw new IOException($"No space left on device : '{path}'");
        }
    }

    private sealed class Countdown : IDisposable
    {
        public int Remaining { get; set; }

        public void Dispose() => Fault.Value = null;
    }
}
