using System.Text.Json;

namespace MultiStage.Engine.Client;

/// <summary>The parts of the docker CLI configuration (config.json) the engine client uses.</summary>
internal sealed class DockerConfigFile
{
    private DockerConfigFile(string directory)
    {
        Directory = directory;
    }

    /// <summary>The configuration directory: DOCKER_CONFIG, else ~/.docker.</summary>
    public string Directory { get; }

    public string FilePath => Path.Combine(Directory, "config.json");

    public string? CurrentContext { get; private set; }

    public string? CredsStore { get; private set; }

    /// <summary>Registry key (as written in the file) to credential helper name.</summary>
    public IReadOnlyDictionary<string, string> CredHelpers { get; private set; } = new Dictionary<string, string>();

    /// <summary>Registry key (as written in the file) to its entry under "auths".</summary>
    public IReadOnlyDictionary<string, AuthEntry> Auths { get; private set; } = new Dictionary<string, AuthEntry>();

    public static string ResolveDirectory(Func<string, string?> environment, string homeDirectory)
    {
        var fromEnvironment = environment("DOCKER_CONFIG");
        return string.IsNullOrEmpty(fromEnvironment) ? Path.Combine(homeDirectory, ".docker") : fromEnvironment;
    }

    /// <summary>Reads config.json; a missing file is an empty configuration, a broken one is an error (the CLI refuses it too).</summary>
    public static DockerConfigFile Load(string directory)
    {
        var config = new DockerConfigFile(directory);
        if (!File.Exists(config.FilePath))
        {
            return config;
        }

        try
        {
            using var stream = File.OpenRead(config.FilePath);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the top level is not an object");
            }

            config.CurrentContext = GetString(root, "currentContext");
            config.CredsStore = GetString(root, "credsStore");

            var helpers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("credHelpers", out var helpersElement) && helpersElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in helpersElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(property.Value.GetString()))
                    {
                        helpers[property.Name] = property.Value.GetString()!;
                    }
                }
            }

            config.CredHelpers = helpers;

            var auths = new Dictionary<string, AuthEntry>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("auths", out var authsElement) && authsElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in authsElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        auths[property.Name] = new AuthEntry(
                            GetString(property.Value, "auth"),
                            GetString(property.Value, "username"),
                            GetString(property.Value, "password"),
                            GetString(property.Value, "identitytoken"),
                            GetString(property.Value, "registrytoken"));
                    }
                }
            }

            config.Auths = auths;
            return config;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            // A JSON error message can quote part of the file, which may hold credentials: only the position is shown.
            var reason = ex is JsonException json
                ? $"it is not valid JSON (line {(json.LineNumber ?? 0) + 1})"
                : ex.Message;
            throw new EngineException(
                EngineErrorCodes.DockerConfigInvalid,
                $"The docker configuration file '{config.FilePath}' cannot be read: {reason}. Fix or remove the file, or point DOCKER_CONFIG at another directory.",
                ex is JsonException ? null : ex);
        }
    }

    private static string? GetString(JsonElement element, string name)
    {
        return element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>One entry under "auths"; "auth" is base64 of "user:password".</summary>
    internal sealed record AuthEntry(string? Auth, string? Username, string? Password, string? IdentityToken, string? RegistryToken);
}
