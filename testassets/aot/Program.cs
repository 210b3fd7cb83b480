// Native AOT: the published output is a single native executable with no runtime beside it.
Console.WriteLine($"aot: hello uid={ProcessUser.Uid()}");

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
