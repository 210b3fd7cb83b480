namespace MultiStage.NuGet;

/// <summary>One <c>&lt;add&gt;</c> of a <c>&lt;packageSources&gt;</c> section, as written (no variable expanded).</summary>
/// <param name="Name">The key, which credentials, mappings and disabled entries refer to.</param>
/// <param name="Value">URL or folder path; a relative path is relative to <paramref name="ConfigDirectory"/>.</param>
/// <param name="ConfigDirectory">The folder of the NuGet.config that declares the source.</param>
public sealed record NuGetSource(string Name, string Value, string ConfigDirectory)
{
    /// <summary>Anything but an http(s) URL is a folder (or share) feed, as NuGet treats it.</summary>
    public bool IsLocalFolder =>
        !Value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !Value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder a local source names, resolved as NuGet does: relative to its config file.</summary>
    public string? FolderPath
    {
        get
        {
            if (!IsLocalFolder)
            {
                return null;
            }

            if (Uri.TryCreate(Value, UriKind.Absolute, out var uri) && uri.IsFile)
            {
                return uri.LocalPath;
            }

            return Path.GetFullPath(Path.Combine(ConfigDirectory, Value));
        }
    }
}

/// <summary>A credential entry a config holds for one source; the values stay inside this assembly's callers.</summary>
/// <param name="SourceName">The source name, decoded from the element name (<c>My_x0020_Feed</c> is "My Feed").</param>
/// <param name="Username">The user name as written (a <c>%VAR%</c> not yet expanded).</param>
/// <param name="Password">The password as written: clear text, or DPAPI ciphertext when <paramref name="IsPasswordEncrypted"/>.</param>
/// <param name="ValidAuthenticationTypes">NuGet's optional list of schemes the credential may be sent with.</param>
/// <param name="IsPasswordEncrypted">A <c>Password</c> entry: encrypted with Windows DPAPI, useless on Linux.</param>
public sealed record NuGetCredential(string SourceName, string? Username, string? Password, bool IsPasswordEncrypted, string? ValidAuthenticationTypes);
