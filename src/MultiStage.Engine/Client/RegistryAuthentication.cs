using System.Text.Json;
using Docker.DotNet.Models;
using MultiStage.Logging;

namespace MultiStage.Engine.Client;

/// <summary>
/// Registry credentials in the forms the Engine API takes them: the auth of one pull or push, and the
/// X-Registry-Config header of a build. Credentials go only into requests to the engine, never into the log.
/// </summary>
internal sealed class RegistryAuthentication(Func<string, string?> environment)
{
    /// <summary>The header a build request carries the credentials of its base images' registries in.</summary>
    public const string ConfigHeader = "X-Registry-Config";

    private string HomeDirectory => environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>The resolver for pushes: push variables first, then the docker configuration.</summary>
    public RegistryCredentialResolver ForPush() => new(environment, HomeDirectory);

    /// <summary>
    /// The resolver for base image pulls: the docker configuration only, since the push variables name the
    /// credentials of the push target, not of every registry a base image comes from.
    /// </summary>
    public RegistryCredentialResolver ForPull() => new(WithoutPushVariables, HomeDirectory);

    /// <summary>The auth of one pull or push; anonymous (the address only) when <paramref name="credentials"/> is null.</summary>
    public static AuthConfig ToAuthConfig(RegistryCredentials? credentials, string serverAddress) =>
        credentials is null
            ? new AuthConfig { ServerAddress = serverAddress }
            : new AuthConfig
            {
                ServerAddress = serverAddress,
                Username = credentials.IdentityToken is null ? credentials.Username : null,
                Password = credentials.IdentityToken is null ? credentials.Password : null,
                IdentityToken = credentials.IdentityToken,
            };

    /// <summary>
    /// The X-Registry-Config header: credentials of every registry the docker configuration knows ("auths" and
    /// "credHelpers" keys), base64url of a JSON map, as the docker CLI sends it. Null when there are none. A registry
    /// whose credentials cannot be had is left out (the pull then fails with its own error if it needs them).
    /// </summary>
    public async Task<string?> ConfigHeaderAsync(ILog log, CancellationToken cancellationToken)
    {
        DockerConfigFile config;
        try
        {
            config = DockerConfigFile.Load(DockerConfigFile.ResolveDirectory(environment, HomeDirectory));
        }
        catch (EngineException ex)
        {
            log.Info($"Base image credentials are not sent: {ex.Message}", Verbosity.Detailed);
            return null;
        }

        var resolver = ForPull();
        var auths = new Dictionary<string, AuthConfig>(StringComparer.Ordinal);
        foreach (var key in config.Auths.Keys.Concat(config.CredHelpers.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                if (await resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false) is { } credentials)
                {
                    auths[key] = ToAuthConfig(credentials, key);
                }
            }
            catch (EngineException ex)
            {
                log.Info($"Credentials for {key} are not sent with the build: {ex.Message}", Verbosity.Detailed);
            }
        }

        if (auths.Count == 0)
        {
            return null;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(auths.ToDictionary(
            p => p.Key,
            p => new Dictionary<string, string?>
            {
                ["username"] = p.Value.Username,
                ["password"] = p.Value.Password,
                ["identitytoken"] = p.Value.IdentityToken,
                ["serveraddress"] = p.Value.ServerAddress,
            }.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value)));
        // The engine decodes this header as URL-safe base64.
        return Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_');
    }

    private string? WithoutPushVariables(string name) =>
        name is RegistryCredentialResolver.UserNameVariable or RegistryCredentialResolver.PasswordVariable or RegistryCredentialResolver.PasswordFileVariable
            ? null
            : environment(name);
}
