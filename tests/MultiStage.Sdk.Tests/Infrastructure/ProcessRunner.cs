using System.Diagnostics;
using System.Text;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>The outcome of a child process.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string CommandLine)
{
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            Assert.Fail($"'{CommandLine}' exited with {ExitCode}:\n{Tail(Output, 80)}");
        }

        return this;
    }

    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }
}

/// <summary>Runs a process to completion with a time limit, output and error merged in order.</summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Child dotnet processes must not inherit the test host's MSBuild state.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDNOINPROCNODE"] = null;
        foreach (var pair in environment ?? new Dictionary<string, string?>())
        {
            if (pair.Value is null)
            {
                info.Environment.Remove(pair.Key);
            }
            else
            {
                info.Environment[pair.Key] = pair.Value;
            }
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Append(e.Data).Append('\n'); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Append(e.Data).Append('\n'); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        if (!process.WaitForExit((int)limit.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"'{fileName} {string.Join(" ", arguments)}' did not finish within {limit}:\n{ProcessResult.Tail(output.ToString(), 60)}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new ProcessResult(process.ExitCode, output.ToString(), fileName + " " + string.Join(" ", arguments));
        }
    }
}
