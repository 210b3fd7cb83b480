using System.Diagnostics;
using System.Text;

namespace MultiStage.Bench;

internal sealed record ProcResult(int ExitCode, TimeSpan Elapsed, string Output, string LogPath)
{
    public bool Ok => ExitCode == 0;

    public string Tail(int lines = 25)
    {
        var all = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}

/// <summary>Runs one command, times it wall-clock, and keeps its combined output in a log file and in memory.</summary>
internal static class Proc
{
    /// <summary>Variables every child gets: the Debian docker client first on PATH (the one with BuildKit), no telemetry or banners.</summary>
    public static readonly Dictionary<string, string?> BaseEnvironment = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
    };

    public static CancellationToken Cancellation { get; set; }

    public static ProcResult Run(
        string file,
        IEnumerable<string> arguments,
        string workingDirectory,
        string logPath,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        Stream? stdoutSink = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in BaseEnvironment.Concat(environment ?? new Dictionary<string, string?>()))
        {
            info.Environment[k] = v;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var output = new StringBuilder();
        using var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"$ (cd {workingDirectory} && {file} {string.Join(' ', info.ArgumentList.Select(Quote))})");
        var gate = new object();
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                output.AppendLine(line);
                log.WriteLine(line);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginErrorReadLine();
        Task pump;
        if (stdoutSink is null)
        {
            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.BeginOutputReadLine();
            pump = Task.CompletedTask;
        }
        else
        {
            pump = process.StandardOutput.BaseStream.CopyToAsync(stdoutSink);
        }

        var limit = timeout ?? TimeSpan.FromMinutes(30);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timer.CancelAfter(limit);
        try
        {
            process.WaitForExitAsync(timer.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.WaitForExit();
            Line(Cancellation.IsCancellationRequested ? "[bench] interrupted" : $"[bench] timed out after {limit}");
        }

        process.WaitForExit();
        pump.GetAwaiter().GetResult();
        stopwatch.Stop();
        log.WriteLine($"[bench] exit {process.ExitCode} after {stopwatch.Elapsed.TotalSeconds:0.00} s");
        Cancellation.ThrowIfCancellationRequested();
        return new ProcResult(process.ExitCode, stopwatch.Elapsed, output.ToString(), logPath);
    }

    /// <summary>A short command whose output is wanted as text; throws when it fails.</summary>
    public static string Text(string file, string logPath, params string[] arguments)
    {
        var result = Run(file, arguments, Environment.CurrentDirectory, logPath, timeout: TimeSpan.FromMinutes(10));
        if (!result.Ok)
        {
            throw new BenchException($"'{file} {string.Join(' ', arguments)}' failed (exit {result.ExitCode}):\n{result.Tail()}");
        }

        return result.Output.Trim();
    }

    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=,@%+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}

internal sealed class BenchException(string message) : Exception(message);
