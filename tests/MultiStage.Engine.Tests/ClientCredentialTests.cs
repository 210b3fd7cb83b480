using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

[TestClass]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientCredentialTests
{
    /// <summary>Writes an executable docker-credential-NAME that answers like a real helper and records what it was asked.</summary>
    private static void WriteHelper(TempDirectory dir, string name, string script)
    {
        var path = dir.Write($"bin/docker-credential-{name}", "#!/bin/sh\n" + script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static RegistryCredentialResolver Resolver(TempDirectory home, Dictionary<string, string>? env = null)
    {
        env ??= new();
        env.TryAdd("PATH", Path.Combine(home.Path, "bin") + Path.PathSeparator + "/usr/bin" + Path.PathSeparator + "/bin");
        return new RegistryCredentialResolver(name => env.TryGetValue(name, out var v) ? v : null, home.Path);
    }

    [TestMethod]
    public async Task EnvironmentVariablesComeFirst()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"reg.example:5000":{"auth":"ZmlsZTpmaWxlcHc="}}}""");
        var resolver = Resolver(home, new()
        {
            [RegistryCredentialResolver.UserNameVariable] = "envuser",
            [RegistryCredentialResolver.PasswordVariable] = "envpw",
        });
        var credentials = await resolver.ResolveAsync("reg.example:5000", CancellationToken.None);
        Assert.IsNotNull(credentials);
        Assert.AreEqual("envuser", credentials.Username);
        Assert.AreEqual("envpw", credentials.Password);
        Assert.IsFalse(credentials.ToString().Contains("envpw", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task PasswordFileComesBeforeThePasswordVariableAndTheConfiguration()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"reg.example:5000":{"auth":"ZmlsZTpmaWxlcHc="}}}""");
        var resolver = Resolver(home, new()
        {
            [RegistryCredentialResolver.UserNameVariable] = "envuser",
            [RegistryCredentialResolver.PasswordVariable] = "envpw",
            [RegistryCredentialResolver.PasswordFileVariable] = home.Write("secrets/registry-password", "from-file"),
        });
        var credentials = await resolver.ResolveAsync("reg.example:5000", CancellationToken.None);
        Assert.AreEqual("envuser", credentials?.Username);
        Assert.AreEqual("from-file", credentials?.Password);
        Assert.IsFalse(credentials!.ToString().Contains("from-file", StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("pw\n", "pw")]
    [DataRow("pw\r\n", "pw")]
    [DataRow("pw\n\n", "pw")]
    [DataRow(" p w \n", " p w ", DisplayName = "spaces are part of the password")]
    [DataRow("line1\nline2\n", "line1\nline2", DisplayName = "only the trailing line break goes")]
    public async Task PasswordFileLosesItsTrailingLineBreaksOnly(string content, string expected)
    {
        using var home = new TempDirectory();
        var resolver = Resolver(home, new()
        {
            [RegistryCredentialResolver.UserNameVariable] = "u",
            [RegistryCredentialResolver.PasswordFileVariable] = home.Write("pw", content),
        });
        Assert.AreEqual(expected, (await resolver.ResolveAsync("reg.example", CancellationToken.None))?.Password);
    }

    [TestMethod]
    [DataRow("missing", "u", "cannot be read")]
    [DataRow("directory", "u", "cannot be read")]
    [DataRow("empty", "u", "is empty")]
    [DataRow("only a line break", "u", "is empty")]
    [DataRow("present", "", "DOTNET_CONTAINER_PUSH_REGISTRY_UNAME is not")]
    public async Task UnusablePasswordFileIsACodedErrorThatNamesThePathOnly(string file, string user, string reason)
    {
        using var home = new TempDirectory();
        var path = file switch
        {
            "missing" => Path.Combine(home.Path, "no-such-file"),
            "directory" => Directory.CreateDirectory(Path.Combine(home.Path, "a-directory")).FullName,
            "empty" => home.Write("pw", ""),
            "only a line break" => home.Write("pw", "\n"),
            _ => home.Write("pw", "secret-in-file"),
        };
        var resolver = Resolver(home, new()
        {
            [RegistryCredentialResolver.UserNameVariable] = user,
            [RegistryCredentialResolver.PasswordVariable] = "envpw",
            [RegistryCredentialResolver.PasswordFileVariable] = path,
        });
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => resolver.ResolveAsync("reg.example", CancellationToken.None));
        Assert.AreEqual(EngineErrorCodes.RegistryPasswordFileUnusable, error.Code);
        StringAssert.Contains(error.Message, reason);
        StringAssert.Contains(error.Message, RegistryCredentialResolver.PasswordFileVariable);
        Assert.IsFalse(error.Message.Contains("secret-in-file", StringComparison.Ordinal) || error.Message.Contains("envpw", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task AuthsBase64EntryIsDecoded()
    {
        using var home = new TempDirectory();
        // "user:pa:ss" — the password may itself hold a colon.
        home.Write(".docker/config.json", """{"auths":{"https://reg.example:5000/v1/":{"auth":"dXNlcjpwYTpzcw=="}}}""");
        var credentials = await Resolver(home).ResolveAsync("reg.example:5000", CancellationToken.None);
        Assert.IsNotNull(credentials);
        Assert.AreEqual("user", credentials.Username);
        Assert.AreEqual("pa:ss", credentials.Password);
        Assert.IsFalse(credentials.ToString().Contains("pa:ss", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task AuthsUserNameAndPasswordEntry()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"reg.example":{"username":"u1","password":"p1"}}}""");
        var credentials = await Resolver(home).ResolveAsync("REG.example", CancellationToken.None);
        Assert.AreEqual("u1", credentials?.Username);
        Assert.AreEqual("p1", credentials?.Password);
    }

    [TestMethod]
    public async Task UnknownRegistryHasNoCredentials()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"other.example":{"auth":"dTpw"}}}""");
        Assert.IsNull(await Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
    }

    [TestMethod]
    public async Task MissingConfigFileHasNoCredentials()
    {
        using var home = new TempDirectory();
        Assert.IsNull(await Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
    }

    [TestMethod]
    public async Task CredHelperForTheRegistryIsRunWithTheServerOnStdin()
    {
        using var home = new TempDirectory();
        var asked = Path.Combine(home.Path, "asked");
        WriteHelper(home, "test", $"read server\nprintf '%s %s' \"$1\" \"$server\" > '{asked}'\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"helperuser\",\"Secret\":\"helpersecret\"}}' \"$server\"\n");
        home.Write(".docker/config.json", """{"auths":{"reg.example:5000":{"auth":"ZmlsZTpmaWxlcHc="}},"credHelpers":{"reg.example:5000":"test"}}""");
        var credentials = await Resolver(home).ResolveAsync("reg.example:5000", CancellationToken.None);
        Assert.AreEqual("helperuser", credentials?.Username);
        Assert.AreEqual("helpersecret", credentials?.Password);
        Assert.AreEqual("get reg.example:5000", File.ReadAllText(asked));
        StringAssert.Contains(credentials!.ToString(), "docker-credential-test");
    }

    [TestMethod]
    public async Task CredsStoreIsAskedWithTheKeyTheCliWrote()
    {
        using var home = new TempDirectory();
        var asked = Path.Combine(home.Path, "asked");
        WriteHelper(home, "test", $"read server\nprintf '%s' \"$server\" > '{asked}'\necho '{{\"Username\":\"storeuser\",\"Secret\":\"storesecret\"}}'\n");
        home.Write(".docker/config.json", """{"auths":{"https://reg.example/v1/":{}},"credsStore":"test"}""");
        var credentials = await Resolver(home).ResolveAsync("reg.example", CancellationToken.None);
        Assert.AreEqual("storeuser", credentials?.Username);
        Assert.AreEqual("https://reg.example/v1/", File.ReadAllText(asked));
    }

    [TestMethod]
    public async Task HelperTokenUserMeansIdentityToken()
    {
        using var home = new TempDirectory();
        WriteHelper(home, "test", "read server\necho '{\"Username\":\"<token>\",\"Secret\":\"refresh-token\"}'\n");
        home.Write(".docker/config.json", """{"credsStore":"test"}""");
        var credentials = await Resolver(home).ResolveAsync("reg.example", CancellationToken.None);
        Assert.AreEqual("refresh-token", credentials?.IdentityToken);
        Assert.IsFalse(credentials!.ToString().Contains("refresh-token", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task HelperWithoutCredentialsFallsBackToAuths()
    {
        using var home = new TempDirectory();
        WriteHelper(home, "test", "read server\necho 'credentials not found in native keychain'\nexit 1\n");
        home.Write(".docker/config.json", """{"auths":{"reg.example":{"auth":"ZmlsZTpmaWxlcHc="}},"credsStore":"test"}""");
        var credentials = await Resolver(home).ResolveAsync("reg.example", CancellationToken.None);
        Assert.AreEqual("file", credentials?.Username);
        Assert.AreEqual("filepw", credentials?.Password);
    }

    [TestMethod]
    public async Task FailingHelperIsAnErrorThatDoesNotEchoItsOutput()
    {
        using var home = new TempDirectory();
        WriteHelper(home, "test", "read server\necho 'boom leaked-secret' >&2\nexit 2\n");
        home.Write(".docker/config.json", """{"credHelpers":{"reg.example":"test"}}""");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
        Assert.AreEqual(EngineErrorCodes.CredentialHelperFailed, error.Code);
        StringAssert.Contains(error.Message, "exit code 2");
        Assert.IsFalse(error.Message.Contains("leaked-secret", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task HelperMissingFromPathIsAnError()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"credsStore":"absent"}""");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
        Assert.AreEqual(EngineErrorCodes.CredentialHelperFailed, error.Code);
        StringAssert.Contains(error.Message, "docker-credential-absent");
        StringAssert.Contains(error.Message, "PATH");
    }

    [TestMethod]
    public async Task HelperAnsweringGarbageIsAnError()
    {
        using var home = new TempDirectory();
        WriteHelper(home, "test", "read server\necho 'not json'\n");
        home.Write(".docker/config.json", """{"credsStore":"test"}""");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
        Assert.AreEqual(EngineErrorCodes.CredentialHelperFailed, error.Code);
    }

    [TestMethod]
    public async Task BadBase64AuthIsAConfigError()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"reg.example":{"auth":"%%%not-base64"}}}""");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => Resolver(home).ResolveAsync("reg.example", CancellationToken.None));
        Assert.AreEqual(EngineErrorCodes.DockerConfigInvalid, error.Code);
        Assert.IsFalse(error.Message.Contains("not-base64", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task DefaultRegistryCredentialsAreFoundUnderItsIndexHost()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"https://index.hub.example/v1/":{"auth":"aHViOmh1YnB3"}}}""");
        var credentials = await Resolver(home).ResolveAsync("hub.example", CancellationToken.None);
        Assert.AreEqual("hub", credentials?.Username);
    }

    [TestMethod]
    [DataRow("https://reg.example:5000/v1/", "reg.example:5000")]
    [DataRow("reg.example:5000", "reg.example:5000")]
    [DataRow("http://REG.example/", "reg.example")]
    [DataRow("127.0.0.1:5000/team/app", "127.0.0.1:5000")]
    public void RegistryNamesAreNormalized(string input, string expected)
    {
        Assert.AreEqual(expected, RegistryCredentialResolver.NormalizeRegistry(input));
    }
}
