// Reads the file a ContainerFile item put into the image and writes into a ContainerWritableDirectory, as the
// image's user: proves both are the app user's on an image without a shell.
const string Settings = "/etc/appfiles/settings.json";
var written = Path.Combine("/var/lib/appfiles", "written.txt");
var settings = File.ReadAllText(Settings).Trim();
var mode = Convert.ToString((int)File.GetUnixFileMode(Settings), 8);
File.WriteAllText(written, "ok");
Console.WriteLine($"appfiles: settings {settings} mode={mode} | wrote {written} | uid={ProcessUser.Uid()}");

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
