using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>
/// What an assembly is, without what only says where or when it was built: its identity and public key, every type
/// and method with its IL, the user strings, custom attributes and embedded resources. Left out: the MVID and the
/// debug directory (both follow the build's paths), and AssemblyInformationalVersion's source revision (the build
/// stage never gets .git).
/// </summary>
public static class AssemblyContent
{
    public static string Describe(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var text = new StringBuilder();
        var assembly = md.GetAssemblyDefinition();
        text.Append("assembly ").Append(md.GetString(assembly.Name)).Append(' ').Append(assembly.Version)
            .Append(" key=").Append(Hex(md.GetBlobBytes(assembly.PublicKey))).Append(" flags=").Append(assembly.Flags).Append('\n');
        text.Append("strong-name-signed=").Append((pe.PEHeaders.CorHeader!.Flags & CorFlags.StrongNameSigned) != 0).Append('\n');
        foreach (var handle in md.CustomAttributes)
        {
            var attribute = md.GetCustomAttribute(handle);
            var type = AttributeType(md, attribute);
            var value = md.GetBlobBytes(attribute.Value);
            if (type == "System.Reflection.AssemblyInformationalVersionAttribute")
            {
                // Prolog, then the version string: "1.0.0+<commit>" on a host with .git, "1.0.0" in the build stage.
                var reader = md.GetBlobReader(attribute.Value);
                reader.ReadUInt16();
                value = Encoding.UTF8.GetBytes(reader.ReadSerializedString()!.Split('+')[0]);
            }

            text.Append("attribute ").Append(type).Append(' ').Append(Hex(value)).Append('\n');
        }

        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            text.Append("type ").Append(md.GetString(type.Namespace)).Append('.').Append(md.GetString(type.Name)).Append('\n');
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                text.Append("  method ").Append(md.GetString(method.Name)).Append(' ').Append(Hex(md.GetBlobBytes(method.Signature)));
                if (method.RelativeVirtualAddress != 0)
                {
                    text.Append(" il=").Append(Hex(SHA256.HashData(pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!)));
                }

                text.Append('\n');
            }
        }

        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = md.GetNextHandle(handle))
        {
            text.Append("string ").Append(md.GetUserString(handle)).Append('\n');
        }

        foreach (var resourceHandle in md.ManifestResources)
        {
            var resource = md.GetManifestResource(resourceHandle);
            text.Append("resource ").Append(md.GetString(resource.Name)).Append('\n');
        }

        return text.ToString();
    }

    private static string AttributeType(MetadataReader md, CustomAttribute attribute)
    {
        EntityHandle parent = attribute.Constructor.Kind == HandleKind.MemberReference
            ? md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent
            : md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        return parent.Kind switch
        {
            HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Namespace) + "." + md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name),
            HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)parent).Namespace) + "." + md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)parent).Name),
            _ => parent.Kind.ToString(),
        };
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
