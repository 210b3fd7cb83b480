using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MultiStage.Inference;

/// <summary>
/// Image references, repositories, registries and tags, checked against the grammar of the distribution reference
/// format: the one grammar the generator and the engine client both use.
/// </summary>
public static class ImageReference
{
    private const string Component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Domain = "(?:" + DomainComponent + "(?:\\." + DomainComponent + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private const string Tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static readonly Regex ReferenceRegex = new(
        "^(?:(?<domain>" + Domain + ")/)?(?<path>" + Component + "(?:/" + Component + ")*)(?::(?<tag>" + Tag + "))?(?:@(?<digest>" + Digest + "))?\\z",
        RegexOptions.CultureInvariant);

    private static readonly Regex RepositoryRegex = new("^" + Component + "(?:/" + Component + ")*\\z", RegexOptions.CultureInvariant);
    private static readonly Regex TagRegex = new("^" + Tag + "\\z", RegexOptions.CultureInvariant);
    private static readonly Regex RegistryRegex = new("^" + Domain + "(?:/" + Component + ")*\\z", RegexOptions.CultureInvariant);
    private static readonly Regex HostRegex = new("^" + Domain + "\\z", RegexOptions.CultureInvariant);

    /// <summary>A full reference such as <c>mcr.microsoft.com/dotnet/aspnet:10.0</c> or one pinned by digest.</summary>
    public static bool IsValidReference(string value)
    {
        if (value.Length > 255 + 129 + 72)
        {
            return false;
        }

        var match = ReferenceRegex.Match(value);
        if (!match.Success)
        {
            return false;
        }

        var domain = match.Groups["domain"].Value;
        if (!IsIPv6OrName(domain))
        {
            return false;
        }

        // Like docker's normalization: a first component without '.', ':' or "localhost" is a path component
        // (Docker Hub), so it must follow the lowercase path grammar.
        if (domain.Length > 0 && !NamesRegistry(domain) && !domain.StartsWith("[", StringComparison.Ordinal)
            && !Regex.IsMatch(domain, "^" + Component + "\\z"))
        {
            return false;
        }

        return match.Groups["path"].Value.Length <= 255;
    }

    /// <summary>A repository path such as <c>team/app</c> (lowercase, no registry, no tag).</summary>
    public static bool IsValidRepository(string value) => value.Length <= 255 && RepositoryRegex.IsMatch(value);

    public static bool IsValidTag(string value) => TagRegex.IsMatch(value);

    /// <summary>
    /// A registry host (optionally with port and a path prefix) such as <c>registry.example:5000/mirror</c>: at most
    /// 255 characters, as every name before it in a reference is (the distribution grammar's limit), and a bracketed
    /// host only if it is an IPv6 address (the grammar's hex-and-colons would take "[abc]").
    /// </summary>
    public static bool IsValidRegistry(string value) => value.Length <= 255 && RegistryRegex.IsMatch(value) && IsIPv6OrName(value);

    /// <summary>Splits "registry:5000/team/app" into ("registry:5000", "team/app"); the registry is null when the name has none.</summary>
    public static (string? Registry, string Path) SplitRegistry(string repository)
    {
        var slash = repository.IndexOf('/');
        if (slash > 0)
        {
            var first = repository.Substring(0, slash);
            if (NamesRegistry(first))
            {
                return (first, repository.Substring(slash + 1));
            }
        }

        return (null, repository);
    }

    /// <summary>Checks a repository name with its optional registry (no tag); returns why it is invalid, or null.</summary>
    public static string? CheckRepository(string repository)
    {
        if (string.IsNullOrWhiteSpace(repository))
        {
            return "the repository name is empty";
        }

        var (registry, path) = SplitRegistry(repository);
        if (registry is not null && !(HostRegex.IsMatch(registry) && IsIPv6OrName(registry)))
        {
            return $"'{registry}' is not a valid registry host[:port]";
        }

        if (!RepositoryRegex.IsMatch(path))
        {
            return "repository names are lowercase letters, digits and separators (. _ __ -) in '/'-separated parts, without a tag or digest";
        }

        return repository.Length > 255 ? "the repository name is longer than 255 characters" : null;
    }

    private static bool IsIPv6OrName(string host)
    {
        if (!host.StartsWith("[", StringComparison.Ordinal))
        {
            return true;
        }

        var end = host.IndexOf(']');
        return end > 1 && IPAddress.TryParse(host.Substring(1, end - 1), out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>Checks a tag; returns why it is invalid, or null.</summary>
    public static string? CheckTag(string tag) =>
        IsValidTag(tag) ? null : $"'{tag}' is not a valid tag (up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-')";

    /// <summary>Docker's rule: a first component with '.' or ':', or "localhost", is a registry, not a path.</summary>
    private static bool NamesRegistry(string first) => first.IndexOf('.') >= 0 || first.IndexOf(':') >= 0 || first == "localhost";
}
