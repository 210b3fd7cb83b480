using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace MultiStage.Engine.Client;

/// <summary>Credentials for one registry. <see cref="ToString"/> never shows the secret.</summary>
public sealed class RegistryCredentials
{
    public RegistryCredentials(string username, string password)
    {
        Username = username;
        Password = password;
    }

    private RegistryCredentials(string identityToken)
    {
        Username = string.Empty;
        Password = string.Empty;
        IdentityToken = identityToken;
    }

    public string Username { get; }

    public string Password { get; }

    /// <summary>An OAuth refresh token that a credential helper returned in place of a password.</summary>
    public string? IdentityToken { get; }

    /// <summary>Where the credentials came from, e.g. "credential helper 'pass'" (for messages; holds no secret).</summary>
    public string Source { get; init; } = "the caller";

    public static RegistryCredentials FromIdentityToken(string token, string source = "the caller") => new(token) { Source = source };

    public override string ToString() => IdentityToken is null ? $"user '{Username}' from {Source}" : $"identity token from {Source}";
}

/// <summary>
/// Finds push credentials for a registry: DOTNET_CONTAINER_PUSH_REGISTRY_UNAME with the password in the file
/// MULTISTAGE_REGISTRY_PASSWORD_FILE names, or with DOTNET_CONTAINER_PUSH_REGISTRY_PWORD; then the docker
/// configuration (credHelpers, credsStore through <c>docker-credential-NAME get</c>, then "auths").
/// </summary>
public sealed class RegistryCredentialResolver
{
    /// <summary>User name variable Microsoft.NET.Build.Containers reads for pushes.</summary>
    public const string UserNameVariable = "DOTNET_CONTAINER_PUSH_REGISTRY_UNAME";

    /// <summary>Password variable Microsoft.NET.Build.Containers reads for pushes.</summary>
    public const string PasswordVariable = "DOTNET_CONTAINER_PUSH_REGISTRY_PWORD";

    /// <summary>
    /// Names a file that holds the push password. MSBuild records every DOTNET_* variable in its binary log (and
    /// prints them at diagnostic verbosity), so a password in DOTNET_CONTAINER_PUSH_REGISTRY_PWORD ends up in logs;
    /// through this variable, read here and never as an MSBuild property, only the file's path could.
    /// </summary>
    public const string PasswordFileVariable = "MULTISTAGE_REGISTRY_PASSWORD_FILE";

    private static readonly TimeSpan HelperTimeout = TimeSpan.FromSeconds(60);

    private readonly Func<string, string?> _environment;
    private readonly string _homeDirectory;

    public RegistryCredentialResolver()
        : this(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
    {
    }

    public RegistryCredentialResolver(Func<string, string?> environment, string homeDirectory)
    {
        _environment = environment;
        _homeDirectory = homeDirectory;
    }

    /// <summary>Credentials for <paramref name="registry"/> (host[:port]), or null to push anonymously.</summary>
    /// <exception cref="EngineException">MSTAGE304 when a credential helper cannot be run or fails; MSTAGE309 when config.json is broken.</exception>
    public async Task<RegistryCredentials?> ResolveAsync(string registry, CancellationToken cancellationToken)
    {
        if (FromPasswordFile() is { } fromFile)
        {
            return fromFile;
        }

        var user = _environment(UserNameVariable);
        var password = _environment(PasswordVariable);
        if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
        {
            return new RegistryCredentials(user, password) { Source = $"{UserNameVariable}/{PasswordVariable}" };
        }

        var host = NormalizeRegistry(registry);
        var config = DockerConfigFile.Load(DockerConfigFile.ResolveDirectory(_environment, _homeDirectory));

        var helperKey = FindKey(config.CredHelpers.Keys, host);
        if (helperKey is not null)
        {
            return await RunHelperAsync(config.CredHelpers[helperKey], host, cancellationToken).ConfigureAwait(false);
        }

        var authKey = FindKey(config.Auths.Keys, host);
        if (!string.IsNullOrEmpty(config.CredsStore))
        {
            // The store is asked with the key the CLI wrote under "auths" when there is one (it may carry a scheme).
            var fromStore = await RunHelperAsync(config.CredsStore, authKey ?? host, cancellationToken).ConfigureAwait(false);
            if (fromStore is not null)
            {
                return fromStore;
            }
        }

        return authKey is null ? null : FromAuthEntry(config.Auths[authKey], config.FilePath);
    }

    /// <summary>The user name variable with the password file, when the file variable is set; it wins over the password variable.</summary>
    /// <exception cref="EngineException">MSTAGE310 when the file cannot be read or is empty, or no user name is set.</exception>
    private RegistryCredentials? FromPasswordFile()
    {
        var file = _environment(PasswordFileVariable);
        if (string.IsNullOrEmpty(file))
        {
            return null;
        }

        var user = _environment(UserNameVariable);
        if (string.IsNullOrEmpty(user))
        {
            throw new EngineException(
                EngineErrorCodes.RegistryPasswordFileUnusable,
                $"{PasswordFileVariable} is set but {UserNameVariable} is not. Set {UserNameVariable} to the user name the password belongs to.");
        }

        string password;
        try
        {
            password = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // The exception names the path, never the content.
            throw new EngineException(
                EngineErrorCodes.RegistryPasswordFileUnusable,
                $"The registry password file '{file}' that {PasswordFileVariable} names cannot be read: {ex.Message.TrimEnd('.')}. Check the path (an absolute one) and the file's permissions.",
                ex);
        }

        // Files written with echo or an editor end with a line break that is not part of the password.
        password = password.TrimEnd('\r', '\n');
        if (password.Length == 0)
        {
            throw new EngineException(
                EngineErrorCodes.RegistryPasswordFileUnusable,
                $"The registry password file '{file}' that {PasswordFileVariable} names is empty. Write the password into it, or unset {PasswordFileVariable}.");
        }

        return new RegistryCredentials(user, password) { Source = $"{UserNameVariable} and the file {PasswordFileVariable} names" };
    }

    /// <summary>"https://host:5000/v1/" and "host:5000" are the same registry.</summary>
    internal static string NormalizeRegistry(string registry)
    {
        var value = registry.Trim();
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            value = value[(scheme + 3)..];
        }

        var slash = value.IndexOf('/');
        if (slash >= 0)
        {
            value = value[..slash];
        }

        return value.ToLowerInvariant();
    }

    private static string? FindKey(IEnumerable<string> keys, string host)
    {
        var all = keys.ToList();
        return all.FirstOrDefault(k => NormalizeRegistry(k) == host)
            // The CLI files the default registry's credentials under its "index." host.
            ?? all.FirstOrDefault(k => NormalizeRegistry(k) == "index." + host);
    }

    private static RegistryCredentials? FromAuthEntry(DockerConfigFile.AuthEntry entry, string file)
    {
        var source = $"\"auths\" in {file}";
        if (!string.IsNullOrEmpty(entry.IdentityToken))
        {
            return RegistryCredentials.FromIdentityToken(entry.IdentityToken, source);
        }

        if (!string.IsNullOrEmpty(entry.Auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
            }
            catch (FormatException)
            {
                throw new EngineException(
                    EngineErrorCodes.DockerConfigInvalid,
                    $"An \"auth\" value in {file} is not valid base64. Log in again with 'docker login'.");
            }

            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                throw new EngineException(
                    EngineErrorCodes.DockerConfigInvalid,
                    $"An \"auth\" value in {file} is not of the form user:password. Log in again with 'docker login'.");
            }

            return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]) { Source = source };
        }

        if (!string.IsNullOrEmpty(entry.Username) && entry.Password is not null)
        {
            return new RegistryCredentials(entry.Username, entry.Password) { Source = source };
        }

        return null;
    }

    private async Task<RegistryCredentials?> RunHelperAsync(string helper, string serverUrl, CancellationToken cancellationToken)
    {
        var program = "docker-credential-" + helper;
        var path = FindOnPath(program);
        var what = $"The docker credential helper '{program}'";
        if (path is null)
        {
            throw new EngineException(
                EngineErrorCodes.CredentialHelperFailed,
                $"{what} named in the docker configuration is not on PATH. Install it, or remove it from config.json (\"credsStore\"/\"credHelpers\").");
        }

        var start = new ProcessStartInfo(path, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new EngineException(EngineErrorCodes.CredentialHelperFailed, $"{what} ({path}) cannot be started: {ex.Message}.", ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HelperTimeout);
        string output;
        string error;
        try
        {
            await process.StandardInput.WriteAsync(serverUrl).ConfigureAwait(false);
            process.StandardInput.Close();
            var outputTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errorTask = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            output = await outputTask.ConfigureAwait(false);
            error = await errorTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            TryKill(process);
            throw new EngineException(EngineErrorCodes.CredentialHelperFailed, $"{what} did not answer within {HelperTimeout.TotalSeconds:0} seconds.");
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            throw;
        }
        catch (IOException ex)
        {
            throw new EngineException(EngineErrorCodes.CredentialHelperFailed, $"{what} could not be talked to: {ex.Message}.", ex);
        }

        if (process.ExitCode != 0)
        {
            // Helpers answer "credentials not found in native keychain" when nothing is stored: push anonymously.
            if ((output + error).Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            // Helper output is not shown: it may echo what it was given or what it holds.
            throw new EngineException(
                EngineErrorCodes.CredentialHelperFailed,
                $"{what} failed (exit code {process.ExitCode}) for {serverUrl}. Run 'echo {serverUrl} | {program} get' to see why, or log in again with 'docker login {serverUrl}'.");
        }

        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            var user = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            var secret = root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (string.IsNullOrEmpty(secret))
            {
                return null;
            }

            var source = $"credential helper '{program}'";
            // The helper protocol marks an identity token with the user name "<token>".
            return user == "<token>"
                ? RegistryCredentials.FromIdentityToken(secret, source)
                : new RegistryCredentials(user ?? string.Empty, secret) { Source = source };
        }
        catch (JsonException)
        {
            throw new EngineException(EngineErrorCodes.CredentialHelperFailed, $"{what} answered with something that is not the JSON of the credential helper protocol.");
        }
    }

    private string? FindOnPath(string program)
    {
        var pathVariable = _environment("PATH") ?? string.Empty;
        var extensions = OperatingSystem.IsWindows()
            ? (_environment("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [string.Empty];
        foreach (var directory in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, program + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
