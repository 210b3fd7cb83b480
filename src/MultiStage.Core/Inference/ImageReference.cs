using System.Text.RegularExpressions;

namespace MultiStage.Inference;

/// <summary>Image references and tags, checked against the grammar of the distribution reference format.</summary>
public static class ImageReference
{
    private const string Component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Domain = "(?:" + DomainComponent + "(?:\\." + DomainComponent + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private const string Tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string Digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static readonly Regex ReferenceRegex = new(
        "^(?:(?<domain>" + Domain + ")/)?(?<path>" + Component + "(?:/" + Component + ")*)(?::(?<tag>" + Tag + "))?(?:@(?<digest>" + Digest + "))?$",
        RegexOptions.CultureInvariant);

    private static readonly Regex RepositoryRegex = new("^" + Component + "(?:/" + Component + ")*$", RegexOptions.CultureInvariant);
    private static readonly Regex TagRegex = new("^" + Tag + "$", RegexOptions.CultureInvariant);
    private static readonly Regex RegistryRegex = new("^" + Domain + "(?:/" + Component + ")*$", RegexOptions.CultureInvariant);

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

        // Like docker's normalization: a first component without '.', ':' or "localhost" is a path component
        // (Docker Hub), so it must follow the lowercase path grammar.
        var domain = match.Groups["domain"].Value;
        if (domain.Length > 0 && !(domain.Contains('.') || domain.Contains(':') || domain == "localhost" || domain.StartsWith("[", StringComparison.Ordinal))
            && !Regex.IsMatch(domain, "^" + Component + "$"))
        {
            return false;
        }

        return match.Groups["path"].Value.Length <= 255;
    }

    /// <summary>A repository path such as <c>team/app</c> (lowercase, no registry, no tag).</summary>
    public static bool IsValidRepository(string value) => value.Length <= 255 && RepositoryRegex.IsMatch(value);

    public static bool IsValidTag(string value) => TagRegex.IsMatch(value);

    /// <summary>A registry host (optionally with port and a path prefix) such as <c>registry.example:5000/mirror</c>.</summary>
    public static bool IsValidRegistry(string value) => RegistryRegex.IsMatch(value);

    /// <summary>The registry part of a reference, or <c>docker.io</c> when it names none.</summary>
    public static string RegistryOf(string reference)
    {
        var slash = reference.IndexOf('/');
        if (slash < 0)
        {
            return "docker.io";
        }

        var first = reference.Substring(0, slash);
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "docker.io";
    }
}
