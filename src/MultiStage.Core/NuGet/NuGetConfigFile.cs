using System.Xml;
using System.Xml.Linq;

namespace MultiStage.NuGet;

/// <summary>
/// One NuGet.config as restore reads it: its sources and credentials, and a rendering without any secret that
/// may enter a build context. Sections and keys match without regard to case, as NuGet matches them.
/// </summary>
public sealed class NuGetConfigFile
{
    // Sections besides the credentials that hold secrets; restore in a build stage has no use for them, so they are
    // left out and reported rather than carried.
    private static readonly string[] OtherSecretSections = { "apikeys", "clientCertificates" };

    private static readonly string[] SecretSections = OtherSecretSections.Append(NuGetConfigXml.PackageSourceCredentials).ToArray();

    // <config> keys that hold secrets.
    private static readonly string[] SecretConfigKeys = { "http_proxy.password" };

    private readonly XDocument _document;

    private NuGetConfigFile(string path, XDocument document)
    {
        FilePath = path;
        _document = document;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        (Sources, ClearsSources) = ReadSources(document, directory);
        DisabledSources = ReadDisabled(document);
        (Credentials, ClearsCredentials) = ReadCredentials(document);
        DroppedSecrets = FindDroppedSecrets(document);
    }

    public string FilePath { get; }

    /// <summary>The sources this file adds, after its own <c>&lt;clear/&gt;</c>.</summary>
    public IReadOnlyList<NuGetSource> Sources { get; }

    /// <summary>A <c>&lt;clear/&gt;</c> in <c>&lt;packageSources&gt;</c>: the sources of farther configs do not count.</summary>
    public bool ClearsSources { get; }

    /// <summary>Names of sources this file disables.</summary>
    public IReadOnlyList<string> DisabledSources { get; }

    public IReadOnlyList<NuGetCredential> Credentials { get; }

    /// <summary>A <c>&lt;clear/&gt;</c> in <c>&lt;packageSourceCredentials&gt;</c>: the credentials of farther configs do not count.</summary>
    public bool ClearsCredentials { get; }

    /// <summary>Secrets other than source credentials the rendering leaves out (API keys, client certificates, a proxy password, user info in a source URL).</summary>
    public IReadOnlyList<string> DroppedSecrets { get; }

    public bool HasCredentials => Credentials.Count > 0;

    /// <summary>True for every casing of <c>nuget.config</c>: on a case-sensitive disk each is still a config a user may publish.</summary>
    public static bool IsConfigFileName(string fileName) => string.Equals(fileName, "nuget.config", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="NuGetConfigException">The file is not a NuGet.config NuGet could read.</exception>
    public static NuGetConfigFile Read(string path) => new(path, NuGetConfigXml.Load(path));

    /// <summary>
    /// The file without credentials, API keys, client certificates, a proxy password, user info in source URLs or
    /// comments (a commented-out password is still a password); every other section and attribute is kept as written.
    /// </summary>
    public string RenderWithoutCredentials()
    {
        var copy = new XDocument(_document);
        foreach (var comment in copy.DescendantNodes().OfType<XComment>().ToList())
        {
            comment.Remove();
        }

        foreach (var instruction in copy.DescendantNodes().OfType<XProcessingInstruction>().ToList())
        {
            instruction.Remove();
        }

        copy.Root!.Elements().Where(e => SecretSections.Any(name => NuGetConfigXml.Is(e, name))).Remove();
        NuGetConfigXml.Sections(copy, "config").Elements().Where(IsSecretConfigItem).Remove();
        foreach (var source in NuGetConfigXml.Sections(copy, NuGetConfigXml.PackageSources).Elements())
        {
            var value = source.Attributes().FirstOrDefault(a => string.Equals(a.Name.LocalName, "value", StringComparison.OrdinalIgnoreCase));
            if (value is not null && WithoutUserInfo(value.Value) is { } stripped)
            {
                value.Value = stripped;
            }
        }

        return NuGetConfigXml.Write(copy);
    }

    /// <summary>
    /// An http(s) URL without its <c>user:password@</c> part, or null when it has none. It is a password in plain
    /// sight; NuGet's documented place for it is <c>&lt;packageSourceCredentials&gt;</c>, which the secret carries.
    /// </summary>
    internal static string? WithoutUserInfo(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !(value.StartsWith("http", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var hostStart = scheme + 3;
        var end = value.IndexOfAny(new[] { '/', '?', '#' }, hostStart);
        end = end < 0 ? value.Length : end;
        var at = end == hostStart ? -1 : value.LastIndexOf('@', end - 1, end - hostStart);
        return at < 0 ? null : value.Substring(0, hostStart) + value.Substring(at + 1);
    }

    private static bool IsSecretConfigItem(XElement item) =>
        NuGetConfigXml.Attribute(item, "key") is { } key && SecretConfigKeys.Contains(key, StringComparer.OrdinalIgnoreCase);

    private static (IReadOnlyList<NuGetSource>, bool) ReadSources(XDocument document, string directory)
    {
        var sources = new List<NuGetSource>();
        var clears = false;
        foreach (var item in NuGetConfigXml.Sections(document, NuGetConfigXml.PackageSources).Elements())
        {
            if (NuGetConfigXml.Is(item, "clear"))
            {
                sources.Clear();
                clears = true;
            }
            else if (NuGetConfigXml.Is(item, "add") && NuGetConfigXml.Attribute(item, "key") is { Length: > 0 } key)
            {
                sources.RemoveAll(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase));
                sources.Add(new NuGetSource(key, NuGetConfigXml.Attribute(item, "value") ?? "", directory));
            }
        }

        return (sources, clears);
    }

    private static IReadOnlyList<string> ReadDisabled(XDocument document) =>
        NuGetConfigXml.Sections(document, NuGetConfigXml.DisabledPackageSources).Elements()
            .Where(item => NuGetConfigXml.Is(item, "add") && string.Equals(NuGetConfigXml.Attribute(item, "value")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            .Select(item => NuGetConfigXml.Attribute(item, "key"))
            .OfType<string>()
            .ToList();

    private static (IReadOnlyList<NuGetCredential>, bool) ReadCredentials(XDocument document)
    {
        var credentials = new List<NuGetCredential>();
        var clears = false;
        foreach (var element in NuGetConfigXml.Sections(document, NuGetConfigXml.PackageSourceCredentials).Elements())
        {
            if (NuGetConfigXml.Is(element, "clear"))
            {
                credentials.Clear();
                clears = true;
                continue;
            }

            var items = element.Elements().Where(e => NuGetConfigXml.Is(e, "add"))
                .Select(e => (Key: NuGetConfigXml.Attribute(e, "key") ?? "", Value: NuGetConfigXml.Attribute(e, "value"))).ToList();
            string? Value(string key) => items.FirstOrDefault(i => string.Equals(i.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

            // The first of Password (DPAPI-encrypted) and ClearTextPassword wins, as in NuGet.
            var password = items.FirstOrDefault(i => i.Key.Equals("Password", StringComparison.OrdinalIgnoreCase) || i.Key.Equals("ClearTextPassword", StringComparison.OrdinalIgnoreCase));
            var name = XmlConvert.DecodeName(element.Name.LocalName);
            credentials.RemoveAll(c => c.SourceName == name);
            credentials.Add(new NuGetCredential(name, Value("Username"), password.Value, string.Equals(password.Key, "Password", StringComparison.OrdinalIgnoreCase), Value("ValidAuthenticationTypes")));
        }

        return (credentials, clears);
    }

    private static IReadOnlyList<string> FindDroppedSecrets(XDocument document)
    {
        var dropped = new List<string>();
        foreach (var section in document.Root!.Elements().Where(e => OtherSecretSections.Any(name => NuGetConfigXml.Is(e, name)) && e.HasElements))
        {
            dropped.Add(section.Name.LocalName);
        }

        dropped.AddRange(NuGetConfigXml.Sections(document, "config").Elements().Where(IsSecretConfigItem).Select(e => "config/" + NuGetConfigXml.Attribute(e, "key")));
        dropped.AddRange(NuGetConfigXml.Sections(document, NuGetConfigXml.PackageSources).Elements()
            .Where(e => WithoutUserInfo(NuGetConfigXml.Attribute(e, "value") ?? "") is not null)
            .Select(e => $"packageSources/{NuGetConfigXml.Attribute(e, "key")}: user info in the URL"));
        return dropped;
    }
}
