using MultiStage.NuGet;

namespace MultiStage.Core.Tests.NuGet;

/// <summary>A throwaway folder of NuGet.config files.</summary>
internal sealed class ConfigDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ms-nuget-" + Guid.NewGuid().ToString("N"));

    public string Write(string relative, string text)
    {
        var path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public NuGetConfigFile Read(string relative, string text) => NuGetConfigFile.Read(Write(relative, text));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
