using System.Text.RegularExpressions;

namespace MultiStage.Engine.Client;

/// <summary>The parts of an image name "[registry/]path[:tag]" the client needs, checked as the engine checks them.</summary>
internal static partial class ImageReference
{
    /// <summary>Splits "registry:5000/team/app" into ("registry:5000", "team/app"); the registry is null when the name has none.</summary>
    public static (string? Registry, string Path) SplitRegistry(string repository)
    {
        var slash = repository.IndexOf('/');
        if (slash > 0)
        {
            var first = repository[..slash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost")
            {
                return (first, repository[(slash + 1)..]);
            }
        }

        return (null, repository);
    }

    /// <summary>Checks a repository name (no tag); returns why it is invalid, or null.</summary>
    public static string? CheckRepository(string repository)
    {
        if (string.IsNullOrWhiteSpace(repository))
        {
            return "the repository name is empty";
        }

        var (registry, path) = SplitRegistry(repository);
        if (registry is not null && !RegistryPattern().IsMatch(registry))
        {
            return $"'{registry}' is not a valid registry host[:port]";
        }

        if (path.Length == 0 || path.Split('/').Any(component => !PathComponent().IsMatch(component)))
        {
            return "repository names are lowercase letters, digits and separators (. _ __ -) in '/'-separated parts, without a tag or digest";
        }

        return repository.Length > 255 ? "the repository name is longer than 255 characters" : null;
    }

    /// <summary>Checks a tag; returns why it is invalid, or null.</summary>
    public static string? CheckTag(string tag) =>
        TagPattern().IsMatch(tag) ? null : $"'{tag}' is not a valid tag (up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-')";

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex PathComponent();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
