// Self-contained and trimmed: the runtime ships in the publish output, so the image needs
// no .NET runtime, only its native dependencies.
Console.WriteLine($"selfcontained: hello uid={ProcessUser.Uid()}");

static class ProcessUser
{
    // The real uid is the first number of the "Uid:" line of /proc/self/status.
    public static string Uid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return line["Uid:".Length..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[0];
            }
        }

        return "unknown";
    }
}
