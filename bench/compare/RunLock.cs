using System.Globalization;

namespace MultiStage.Bench;

/// <summary>
/// One benchmark at a time on the machine, whichever worktree it runs from: runs would prune each other's build cache
/// and share the pinned base images. A waiting run says who holds the lock (worktree, pid, start), found through
/// /proc/locks, so it also names a holder running an older harness.
/// </summary>
internal static class RunLock
{
    private static readonly string LockPath = Path.Combine(Path.GetTempPath(), "multistage-bench.lock");

    /// <summary>Waits up to an hour for the lock; returns null when cancelled while waiting (nothing of the run exists yet).</summary>
    public static IDisposable? Acquire(CancellationToken cancel)
    {
        int? lastHolder = 0;
        for (var waited = 0; ; waited++)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix.
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited < 3600)
            {
                // Said again only when another process holds the lock (its text counts the minutes).
                var (pid, holder) = Holder();
                if (waited == 0 || pid != lastHolder)
                {
                    BenchRun.Say($"waiting for another benchmark run to finish: {holder} (lock {LockPath})");
                    lastHolder = pid;
                }

                if (cancel.WaitHandle.WaitOne(1000))
                {
                    return null;
                }
            }
        }
    }

    /// <summary>"worktree /work/x, pid 123, started 10:02:03 UTC, bench/run.sh …" of the process holding the lock, or what is known.</summary>
    private static (int? Pid, string Text) Holder()
    {
        try
        {
            // /proc/locks: "1: FLOCK  ADVISORY  WRITE <pid> <dev>:<inode> 0 EOF"; the pid whose open files include the lock file holds it.
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 4 && f[1] == "FLOCK" && f[3] == "WRITE" && int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Holds(pid))
                {
                    return (pid, Describe(pid));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return (null, "held by a process not visible from here");
    }

    private static bool Holds(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == LockPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Describe(int pid)
    {
        var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        // bench/run.sh passes --repo (the worktree) and --command (what the user typed).
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var worktree = Arg("--repo") ?? new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget ?? "?";
        // Field 22 of /proc/<pid>/stat is the start in clock ticks (100 a second on Linux) after boot ("btime" in /proc/stat).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var ticks = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
        var boot = long.Parse(File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        var started = DateTimeOffset.FromUnixTimeSeconds(boot + ticks / 100).UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"worktree {worktree}, pid {pid}, started {started:yyyy-MM-dd HH:mm:ss} UTC ({(DateTime.UtcNow - started).TotalMinutes:0} min ago), {Arg("--command") ?? "command unknown"}");
    }
}
