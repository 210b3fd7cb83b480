using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MultiStage.NuGet;

/// <summary>
/// Loading and writing NuGet.config XML. NuGet matches element and attribute names without regard to case, so
/// every lookup here does too; output is deterministic (UTF-8 without BOM, two-space indent, <c>\n</c>).
/// </summary>
internal static class NuGetConfigXml
{
    public const string PackageSources = "packageSources";
    public const string DisabledPackageSources = "disabledPackageSources";
    public const string PackageSourceCredentials = "packageSourceCredentials";

    /// <summary>
    /// Loads without DTDs or external entities (a config file is user input and must not reach the network or disk),
    /// and without layout whitespace, so that the output has one layout whatever the input had.
    /// </summary>
    public static XDocument Load(string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true };
        try
        {
            using var reader = XmlReader.Create(path, settings);
            var document = XDocument.Load(reader, LoadOptions.None);
            if (document.Root is null || !Is(document.Root, "configuration"))
            {
                throw new NuGetConfigException(path, "the root element is not <configuration>");
            }

            return document;
        }
        catch (XmlException e)
        {
            throw new NuGetConfigException(path, e.Message);
        }
    }

    public static bool Is(XElement element, string name) => string.Equals(element.Name.LocalName, name, StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<XElement> Sections(XDocument document, string name) => document.Root!.Elements().Where(e => Is(e, name));

    public static string? Attribute(XElement element, string name) =>
        element.Attributes().FirstOrDefault(a => string.Equals(a.Name.LocalName, name, StringComparison.OrdinalIgnoreCase))?.Value;

    public static string Write(XDocument document)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

/// <summary>A NuGet.config that cannot be read; restore would fail on it too.</summary>
public sealed class NuGetConfigException : Exception
{
    public NuGetConfigException(string path, string reason)
        : base($"{path}: {reason}")
    {
        Path = path;
    }

    public string Path { get; }
}
