using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Registry;

/// <summary>
/// The few requests of the Distribution API (the registry's HTTP API) an image index needs: a manifest's HEAD and GET,
/// a blob's GET, a manifest's PUT. Authentication follows the registry's 401 challenge: anonymous first, then Basic
/// with the credentials, or a Bearer token from the realm it names (with the credentials when there are any). Tokens
/// and credentials go only into requests to the registry and its token service, never into a message.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryCredentials? _credentials;
    private readonly Dictionary<string, AuthenticationHeaderValue> _authorizations = new(StringComparer.Ordinal);

    /// <param name="registry">host[:port], as image references name it.</param>
    /// <param name="baseAddress">"https://host:port/" or, for a registry the engine treats as insecure, "http://…".</param>
    /// <param name="credentials">The push credentials; null for anonymous.</param>
    /// <param name="handler">The transport; a SocketsHttpHandler when null.</param>
    public RegistryClient(string registry, Uri baseAddress, RegistryCredentials? credentials, HttpMessageHandler? handler = null)
    {
        Registry = registry;
        _credentials = credentials;
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>The registry, host[:port].</summary>
    public string Registry { get; }

    /// <summary>The API host of a registry name: Docker Hub's names are served by registry-1.docker.io.</summary>
    public static string ApiHost(string registry) =>
        registry is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : registry;

    /// <summary>What the registry stores under <paramref name="reference"/> (a tag or a digest), read by HEAD.</summary>
    public async Task<ManifestDescriptor> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Head, repository, reference), repository, $"read the manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        return Descriptor(response, null, repository, reference);
    }

    /// <summary>The manifest (or index) stored under <paramref name="reference"/>, with its descriptor.</summary>
    public async Task<(ManifestDescriptor Descriptor, byte[] Content)> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Get, repository, reference), repository, $"read the manifest {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return (Descriptor(response, content, repository, reference), content);
    }

    /// <summary>A blob (an image config, a layer) by its digest.</summary>
    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}"), repository, $"read the blob {digest} of {repository}", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores <paramref name="content"/> under the tag <paramref name="reference"/>; returns the digest the registry names it by.</summary>
    public async Task<string> PutManifestAsync(string repository, string reference, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}") { Content = new ByteArrayContent(content) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                return request;
            },
            repository,
            $"store the image index {repository}:{reference}",
            cancellationToken).ConfigureAwait(false);
        var digest = ImageIndex.Digest(content);
        var answered = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        if (answered is not null && !string.Equals(answered, digest, StringComparison.Ordinal))
        {
            throw new EngineException(EngineErrorCodes.ImageIndexRefused, $"The registry {Registry} stored the image index {repository}:{reference} as {answered}, not as the {digest} that was sent: it changed the document. Check what serves {Registry}.");
        }

        return digest;
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage ManifestRequest(HttpMethod method, string repository, string reference)
    {
        var request = new HttpRequestMessage(method, $"v2/{repository}/manifests/{reference}");
        foreach (var type in ImageIndex.AllManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return request;
    }

    private ManifestDescriptor Descriptor(HttpResponseMessage response, byte[]? content, string repository, string reference)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        digest ??= content is null ? null : ImageIndex.Digest(content);
        digest ??= reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference : null;
        var size = content?.LongLength ?? response.Content.Headers.ContentLength;
        if (mediaType is null || digest is null || size is null)
        {
            throw new EngineException(EngineErrorCodes.ImageIndexRefused, $"The registry {Registry} answered for the manifest {repository}:{reference} without its media type, digest or size. The registry does not follow the Distribution API.");
        }

        return new ManifestDescriptor(mediaType, digest, size.Value);
    }

    /// <summary>Sends a request; on a 401 answers the challenge once and sends it again. Failures become coded exceptions.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string repository, string what, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(create, repository, what, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var challenge = RegistryChallenge.Parse(response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString());
            response.Dispose();
            if (await AuthorizeAsync(challenge, repository, cancellationToken).ConfigureAwait(false) is not { } authorization)
            {
                throw Unauthorized(what, _credentials is null ? "no credentials were found for it" : $"it does not take the credentials ({challenge?.Scheme ?? "no challenge"})");
            }

            _authorizations[repository] = authorization;
            response = await SendOnceAsync(create, repository, what, cancellationToken).ConfigureAwait(false);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw Failure(response.StatusCode, RegistryErrorText(body), what);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, string repository, string what, CancellationToken cancellationToken)
    {
        using var request = create();
        if (_authorizations.TryGetValue(repository, out var authorization))
        {
            request.Headers.Authorization = authorization;
        }

        return await SendOrThrowAsync(request, what, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOrThrowAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException || ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new EngineException(
                EngineErrorCodes.RegistryTls,
                $"Cannot talk TLS with the registry {Registry} to {what} ({ex.Message.TrimEnd('.')}). If it serves plain HTTP, add it to \"insecure-registries\" in the engine's daemon.json (the engine's list decides here too); if it uses a private authority, trust its certificate on this machine.",
                ex);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new EngineException(EngineErrorCodes.RegistryUnreachable, $"Cannot reach the registry {Registry} at {_http.BaseAddress} to {what} ({ex.Message.TrimEnd('.')}). Check the registry address, that it is running, and the network and proxy settings of this machine.", ex);
        }
    }

    /// <summary>The Authorization header that answers <paramref name="challenge"/>, or null when there is none to give.</summary>
    private async Task<AuthenticationHeaderValue?> AuthorizeAsync(RegistryChallenge? challenge, string repository, CancellationToken cancellationToken)
    {
        if (challenge is { IsBasic: true })
        {
            return _credentials is { IdentityToken: null } ? Basic(_credentials) : null;
        }

        if (challenge is not { IsBearer: true } || challenge["realm"] is not { Length: > 0 } realm || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            return null;
        }

        // A push asks for pull and push on the repository, whatever scope the first (read) challenge named.
        var scope = $"repository:{repository}:pull,push";
        var service = challenge["service"];
        using var request = TokenRequest(realmUri, service, scope);
        using var response = await SendOrThrowAsync(request, $"get a token from {realmUri.GetLeftPart(UriPartial.Path)}", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw Unauthorized($"get a token for {repository}", $"its token service {realmUri.Host} refused {(_credentials is null ? "an anonymous request" : "the credentials")}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new EngineException(EngineErrorCodes.RegistryTokenFailed, $"The token service {realmUri.GetLeftPart(UriPartial.Path)} of the registry {Registry} answered {(int)response.StatusCode} {response.ReasonPhrase} for the scope {scope}{RegistryErrorText(body)}. Check the repository name and your permissions on it.");
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var token = json.RootElement.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : json.RootElement.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()
                : null;
            if (string.IsNullOrEmpty(token))
            {
                throw new JsonException("no \"token\" or \"access_token\"");
            }

            return new AuthenticationHeaderValue("Bearer", token);
        }
        catch (JsonException ex)
        {
            throw new EngineException(EngineErrorCodes.RegistryTokenFailed, $"The token service {realmUri.GetLeftPart(UriPartial.Path)} of the registry {Registry} answered without a token ({ex.Message.TrimEnd('.')}). The registry's authentication is misconfigured, or the address is not a registry.");
        }
    }

    /// <summary>
    /// The token request: GET with Basic credentials (or none), or, for an identity token, the OAuth2 refresh-token
    /// POST the docker CLI sends.
    /// </summary>
    private HttpRequestMessage TokenRequest(Uri realm, string? service, string scope)
    {
        var query = new List<KeyValuePair<string, string>> { new("scope", scope) };
        if (service is not null)
        {
            query.Insert(0, new("service", service));
        }

        if (_credentials?.IdentityToken is { } refreshToken)
        {
            var form = new List<KeyValuePair<string, string>>(query) { new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("client_id", "multistage-sdk") };
            return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }

        var separator = realm.Query.Length > 0 ? "&" : "?";
        var uri = new Uri(realm + separator + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (_credentials is not null)
        {
            request.Headers.Authorization = Basic(_credentials);
        }

        return request;
    }

    private static AuthenticationHeaderValue Basic(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    private EngineException Unauthorized(string what, string why) =>
        new(
            EngineErrorCodes.RegistryUnauthorized,
            $"The registry {Registry} refused to let this build {what}: authentication failed ({why}). Log in with 'docker login {Registry}', or set {RegistryCredentialResolver.UserNameVariable} and {RegistryCredentialResolver.PasswordFileVariable} (the path of a file that holds the password).");

    private EngineException Failure(HttpStatusCode status, string detail, string what)
    {
        var code = (int)status;
        var text = $"{code} {status}{detail}";
        return code switch
        {
            401 => Unauthorized(what, text),
            403 => new EngineException(EngineErrorCodes.RegistryDenied, $"The registry {Registry} denied the request to {what} ({text}). The credentials are valid but may not push to this repository: check its name and your permissions on it."),
            >= 500 => new EngineException(EngineErrorCodes.RegistryServerError, $"The registry {Registry} failed to {what} ({text}). This is a registry-side error: retry later, or check the registry's health and storage."),
            _ => new EngineException(EngineErrorCodes.ImageIndexRefused, $"The registry {Registry} refused to {what} ({text}). A registry that does not take image indexes (manifest lists) cannot hold a multi-platform image: push one platform per tag instead."),
        };
    }

    /// <summary>": CODE message" of a Distribution error body ({"errors":[{"code","message"}]}), empty when it has none.</summary>
    private static string RegistryErrorText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var parts = errors.EnumerateArray()
                    .Where(e => e.ValueKind == JsonValueKind.Object)
                    .Select(e => $"{Text(e, "code")} {Text(e, "message")}".Trim())
                    .Where(p => p.Length > 0)
                    .ToList();
                return parts.Count == 0 ? "" : ": " + string.Join("; ", parts);
            }
        }
        catch (JsonException)
        {
        }

        return "";

        static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
    }
}
