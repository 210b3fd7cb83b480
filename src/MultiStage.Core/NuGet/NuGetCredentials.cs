using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace MultiStage.NuGet;

/// <summary>
/// The credentials restore would use on the host, as a NuGet.config holding only <c>&lt;packageSourceCredentials&gt;</c>:
/// the content of the BuildKit secret that the build stage mounts as a user-level config. Never written into a build context.
/// </summary>
/// <param name="ConfigText">The NuGet.config text; null when no source has usable credentials.</param>
/// <param name="SourceNames">The sources it holds credentials for, in order.</param>
/// <param name="EncryptedPasswordSources">Sources whose only credential is an encrypted <c>Password</c>: Windows DPAPI, so a Linux build stage cannot use it.</param>
/// <param name="UndefinedVariables">Variables a credential names as <c>%VAR%</c> that the environment lacks; NuGet would send the text as written.</param>
public sealed record NuGetCredentials(string? ConfigText, IReadOnlyList<string> SourceNames, IReadOnlyList<string> EncryptedPasswordSources, IReadOnlyList<string> UndefinedVariables)
{
    /// <summary>NuGet's own convention: <c>NuGetPackageSourceCredentials_&lt;source name&gt;</c> = <c>Username=…;Password=…</c>; it overrides the configs.</summary>
    public const string EnvironmentPrefix = "NuGetPackageSourceCredentials_";

    // The pattern NuGet applies to the variable's trimmed value.
    private static readonly Regex EnvironmentValue = new(
        @"^Username=(?<user>.*?);\s*Password=(?<pass>.*?)(?:;ValidAuthenticationTypes=(?<types>.*?))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Merges the credentials of <paramref name="configs"/> (closest first, as NuGet orders them) for every enabled source
    /// they declare: a closer config's entry wins, a <c>&lt;clear/&gt;</c> drops those of farther configs, and an
    /// environment variable beats them all. <c>%VAR%</c> is expanded from <paramref name="environment"/>.
    /// </summary>
    public static NuGetCredentials Collect(IReadOnlyList<NuGetConfigFile> configs, Func<string, string?> environment)
    {
        var byName = new Dictionary<string, NuGetCredential>(StringComparer.Ordinal);
        for (var i = configs.Count - 1; i >= 0; i--)
        {
            if (configs[i].ClearsCredentials)
            {
                byName.Clear();
            }

            foreach (var credential in configs[i].Credentials)
            {
                byName[credential.SourceName] = credential;
            }
        }

        var undefined = new SortedSet<string>(StringComparer.Ordinal);
        var usable = new List<NuGetCredential>();
        var encrypted = new List<string>();
        foreach (var name in NuGetSourceSet.Effective(configs).Select(s => s.Name).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal))
        {
            if (environment(EnvironmentPrefix + name) is { } raw && EnvironmentValue.Match(raw.Trim()) is { Success: true } match)
            {
                usable.Add(new NuGetCredential(name, match.Groups["user"].Value, match.Groups["pass"].Value, false, NullIfEmpty(match.Groups["types"].Value)));
            }
            else if (byName.TryGetValue(name, out var credential) && !string.IsNullOrEmpty(credential.Username) && !string.IsNullOrEmpty(credential.Password))
            {
                if (credential.IsPasswordEncrypted)
                {
                    encrypted.Add(name);
                    continue;
                }

                usable.Add(credential with
                {
                    Username = Expand(credential.Username!, environment, undefined),
                    Password = Expand(credential.Password!, environment, undefined),
                });
            }
        }

        return new NuGetCredentials(usable.Count == 0 ? null : Render(usable), usable.Select(c => c.SourceName).ToList(), encrypted, undefined.ToList());
    }

    /// <summary>NuGet's <c>%VAR%</c> expansion (that of <c>Environment.ExpandEnvironmentVariables</c>): an undefined name stays as written.</summary>
    internal static string Expand(string value, Func<string, string?> environment, ISet<string> undefined)
    {
        var result = new System.Text.StringBuilder(value.Length);
        var position = 0;
        while (position < value.Length)
        {
            var start = value.IndexOf('%', position);
            var end = start < 0 ? -1 : value.IndexOf('%', start + 1);
            if (end < 0)
            {
                result.Append(value, position, value.Length - position);
                break;
            }

            result.Append(value, position, start - position);
            var name = value.Substring(start + 1, end - start - 1);
            if (name.Length > 0 && environment(name) is { } replacement)
            {
                result.Append(replacement);
                position = end + 1;
            }
            else
            {
                // The closing '%' may open the next reference.
                if (name.Length > 0)
                {
                    undefined.Add(name);
                }

                result.Append(value, start, end - start);
                position = end;
            }
        }

        return result.ToString();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string Render(IEnumerable<NuGetCredential> credentials)
    {
        var section = new XElement(NuGetConfigXml.PackageSourceCredentials);
        foreach (var credential in credentials)
        {
            // Element names cannot hold every character a source name can; NuGet writes "My Feed" as My_x0020_Feed.
            var element = new XElement(XmlConvert.EncodeLocalName(credential.SourceName),
                Add("Username", credential.Username!),
                Add("ClearTextPassword", credential.Password!));
            if (credential.ValidAuthenticationTypes is { } types)
            {
                element.Add(Add("ValidAuthenticationTypes", types));
            }

            section.Add(element);
        }

        return NuGetConfigXml.Write(new XDocument(new XElement("configuration", section)));
    }

    private static XElement Add(string key, string value) => new("add", new XAttribute("key", key), new XAttribute("value", value));
}
