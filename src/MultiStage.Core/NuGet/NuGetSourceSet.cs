using System.Net;
using MultiStage.IO;

namespace MultiStage.NuGet;

/// <summary>Why a build stage cannot use a source the host's restore uses.</summary>
public enum UnreachableReason
{
    /// <summary>A folder feed outside the build context: no file of it exists in the build stage.</summary>
    FolderOutsideContext,

    /// <summary>An http(s) source on localhost: inside a build container that is the container, unless it runs with the host's network.</summary>
    Loopback,
}

public sealed record UnreachableSource(NuGetSource Source, UnreachableReason Reason);

/// <summary>The sources restore uses from a chain of configs, merged as NuGet merges them.</summary>
public static class NuGetSourceSet
{
    /// <summary>
    /// The enabled sources of <paramref name="configs"/> (closest first): a <c>&lt;clear/&gt;</c> drops farther
    /// configs' sources, a closer config redefines a name, <c>&lt;disabledPackageSources&gt;</c> of any config disables one.
    /// </summary>
    public static IReadOnlyList<NuGetSource> Effective(IReadOnlyList<NuGetConfigFile> configs)
    {
        var sources = new List<NuGetSource>();
        var disabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = configs.Count - 1; i >= 0; i--)
        {
            var config = configs[i];
            if (config.ClearsSources)
            {
                sources.Clear();
            }

            sources.RemoveAll(s => config.Sources.Any(closer => string.Equals(closer.Name, s.Name, StringComparison.OrdinalIgnoreCase)));
            sources.AddRange(config.Sources);
            disabled.UnionWith(config.DisabledSources);
        }

        return sources.Where(s => !disabled.Contains(s.Name)).ToList();
    }

    /// <summary>The effective sources a build stage whose context is <paramref name="contextRoot"/> cannot reach.</summary>
    public static IReadOnlyList<UnreachableSource> Unreachable(IReadOnlyList<NuGetConfigFile> configs, string contextRoot)
    {
        var result = new List<UnreachableSource>();
        foreach (var source in Effective(configs))
        {
            if (source.FolderPath is { } folder && !PathUtil.IsUnder(folder, contextRoot))
            {
                result.Add(new UnreachableSource(source, UnreachableReason.FolderOutsideContext));
            }
            else if (!source.IsLocalFolder && IsLoopback(source.Value))
            {
                result.Add(new UnreachableSource(source, UnreachableReason.Loopback));
            }
        }

        return result;
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
