// Prints one deterministic line: the arguments it got and the real uid of the process,
// so tests can check both argument passing and the non-root user of the image.
Console.WriteLine($"console-app: hello [{string.Join(' ', args)}] uid={ProcessUser.Uid()}");

static class ProcessUser
{
    // The real uid is the first number of the "Uid:" line; Environment.UserName needs a passwd
    // entry, which chiseled images may not have for the running uid.
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
