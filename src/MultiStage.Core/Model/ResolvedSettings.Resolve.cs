using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Logging;

namespace MultiStage.Model;

/// <summary>Checking the user's values, each with its own code, and filling the defaults.</summary>
public sealed partial record ResolvedSettings
{
    private static readonly Regex UserRegex = new("^(?:[A-Za-z_][A-Za-z0-9_.-]*|[0-9]+)(?::(?:[A-Za-z_][A-Za-z0-9_.-]*|[0-9]+))?\\z", RegexOptions.CultureInvariant);
    private static readonly Regex VariableNameRegex = new("^[A-Za-z_][A-Za-z0-9_.:-]*\\z", RegexOptions.CultureInvariant);

    // Families published for the .NET images; anything else is a typo or needs ContainerBaseImage.
    private static readonly Regex KnownFamily = new(
        "^(?:alpine(?:3\\.[0-9]+)?|noble|jammy|resolute|bookworm-slim|trixie-slim|azurelinux3\\.0" +
        "|(?:noble|jammy|resolute)-chiseled(?:-extra|-composite|-composite-extra)?|azurelinux3\\.0-distroless(?:-extra)?)\\z",
        RegexOptions.CultureInvariant);

    /// <summary>The settings with defaults filled; null (the first problem logged) when a value is not valid.</summary>
    public static ResolvedSettings? Resolve(ContainerSettings settings, ProjectFacts project, ILog log)
    {
        if (ParseBuilder(settings.Builder, log) is not { } chosenBuilder
            || ParseSwitch(settings.SdkSource, "MultiStageSdkSource", SdkSource.Context, log) is not { } sdkSource)
        {
            return null;
        }

        if (settings.BaseImageRegistry.Length > 0 && !ImageReference.IsValidRegistry(settings.BaseImageRegistry))
        {
            log.Error(ErrorCodes.InvalidBaseImageRegistry, $"MultiStageBaseImageRegistry '{settings.BaseImageRegistry}' is not a registry host (host[:port][/path]).");
            return null;
        }

        var repository = settings.ContainerRepository;
        if (repository.Length == 0)
        {
            // The assembly name is only a default: make it a valid repository the way the .NET SDK does, silently.
            repository = project.AssemblyName.Replace(' ', '-').ToLowerInvariant();
        }
        else if (!ImageReference.IsValidRepository(repository) && NormalizedRepository(repository) is { } normalized && ImageReference.IsValidRepository(normalized))
        {
            // As Microsoft.NET.Build.Containers does: lowercase, other characters made '-', and a warning naming both.
            log.Warning(ErrorCodes.RepositoryNormalized, $"ContainerRepository '{repository}' is not a valid repository name; the image is named '{normalized}'. Set ContainerRepository to '{normalized}' to silence this warning.");
            repository = normalized;
        }

        if (!ImageReference.IsValidRepository(repository))
        {
            log.Error(ErrorCodes.InvalidRepository, $"ContainerRepository '{repository}' is not a valid repository name (lowercase letters, digits and separators ., _, __, -; '/' between components).");
            return null;
        }

        if (settings.ContainerImageTag.Length > 0 && settings.ContainerImageTags.Length > 0)
        {
            log.Error(ErrorCodes.BothImageTagProperties, $"Both ContainerImageTag ('{settings.ContainerImageTag}') and ContainerImageTags ('{settings.ContainerImageTags}') are set; only one is allowed. Put every tag in ContainerImageTags, separated by ';'.");
            return null;
        }

        var tags = (settings.ContainerImageTags.Length > 0 ? settings.ContainerImageTags : settings.ContainerImageTag.Length > 0 ? settings.ContainerImageTag : DefaultTag)
            .Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var badTag = tags.FirstOrDefault(t => !ImageReference.IsValidTag(t));
        if (badTag is not null || tags.Count == 0)
        {
            log.Error(ErrorCodes.InvalidImageTag, $"ContainerImageTag(s) '{badTag ?? settings.ContainerImageTags}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-').");
            return null;
        }

        if (!Images(settings, log))
        {
            return null;
        }

        // Not chosen: the Dockerfile is written for BuildKit, the builder of every current engine.
        var builder = chosenBuilder == BuilderKind.Auto ? BuilderKind.BuildKit : chosenBuilder;
        var cacheMounts = builder == BuilderKind.BuildKit && !string.Equals(settings.CacheMounts, "false", StringComparison.OrdinalIgnoreCase);
        if (CheckWorkingDirectory(settings, log) is not { } workdir
            || CheckMaxCpuCount(settings, cacheMounts, log) is not { } maxCpuCount
            || CheckPorts(settings, log) is not { } ports
            || Pairs(settings.EnvironmentVariables, IsVariableName, "ContainerEnvironmentVariable", ErrorCodes.InvalidEnvironmentVariable,
                "is not a valid variable name (letters, digits, '_', '.', ':', '-'; not starting with a digit)", log) is not { } environment
            || Pairs(settings.Labels, IsLabelName, "ContainerLabel", ErrorCodes.InvalidLabel, "is not a valid label name (no spaces, control characters or '=')", log) is not { } labels
            || LabelsFromArguments(settings, labels, log) is not { } fromArgs
            || CheckUser(settings, log) is not { } user
            || !Command(settings, log)
            || ParseAppCommandInstruction(settings.AppCommandInstruction, log) is not { } instruction
            || CheckContextRoot(settings, project, log) is not { } contextRoot
            || CheckDockerfilePath(settings, log) is not { } dockerfilePath
            || CheckDockerIgnorePatterns(settings, log) is not { } ignorePatterns
            || !CheckHealthCheck(settings, log, out var health)
            || CheckFiles(settings, builder, log) is not { } files
            || CheckWritableDirectories(settings, log) is not { } writable)
        {
            return null;
        }

        var packageVersion = settings.SdkPackageVersion.ToLowerInvariant();
        return new ResolvedSettings
        {
            Repository = repository,
            Tags = tags,
            Family = settings.ContainerFamily,
            BaseImage = settings.ContainerBaseImage.Length > 0 ? settings.ContainerBaseImage : null,
            SdkImage = settings.SdkImage.Length > 0 ? settings.SdkImage : null,
            BaseImageRegistry = settings.BaseImageRegistry,
            User = user.Length > 0 ? user : null,
            WorkingDirectory = workdir,
            Ports = ports,
            AspNetPorts = Sorted(PortsFromAspNetVariables(settings.EnvironmentVariables)),
            EnvironmentVariables = environment,
            Labels = labels,
            LabelsFromBuildArgs = fromArgs,
            AppCommand = settings.AppCommand,
            AppCommandArgs = settings.AppCommandArgs,
            DefaultArgs = settings.DefaultArgs,
            AppCommandInstruction = instruction,
            Configuration = settings.Configuration.Length > 0 ? settings.Configuration : DefaultConfiguration,
            PublishArguments = settings.PublishArguments,
            ContextRoot = contextRoot.Length > 0 ? contextRoot : null,
            DockerfilePath = dockerfilePath.Length > 0 ? dockerfilePath : null,
            OverwriteDockerfile = string.Equals(settings.OverwriteDockerfile, "true", StringComparison.OrdinalIgnoreCase),
            SdkSource = sdkSource,
            SdkPackageDirectory = settings.SdkPackageDirectory,
            SdkPackageId = settings.SdkPackageId.Length > 0 ? settings.SdkPackageId.ToLowerInvariant() : WellKnownNames.SdkPackageFolder,
            SdkPackageVersion = packageVersion,
            Builder = builder,
            CacheMounts = cacheMounts,
            MaxCpuCount = maxCpuCount == 0 ? null : maxCpuCount,
            DockerIgnorePatterns = ignorePatterns,
            HealthCheck = health,
            Packages = ResolvePackages(settings),
            Files = files,
            WritableDirectories = writable,
            BaseNameLabel = settings.BaseNameLabel,
            BaseDigestLabel = settings.BaseDigestLabel,
        };
    }

    /// <summary>Lowercase, and every character a repository name cannot hold made '-' (control characters left for the grammar to refuse).</summary>
    private static string NormalizedRepository(string value) =>
        new(value.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' or '/' || char.IsControl(c) ? c : '-').ToArray());

    /// <summary>
    /// MultiStageBuilder: <see cref="BuilderKind.Auto"/> when not set, null (logged) when not one of the builders. The
    /// image build reads the same property after generation has checked it, so the check lives here only.
    /// </summary>
    public static BuilderKind? ParseBuilder(string value, ILog log) =>
        ParseSwitch(value, "MultiStageBuilder", BuilderKind.Auto, log, BuilderKind.BuildKit, BuilderKind.Classic);

    private static AppCommandInstruction? ParseAppCommandInstruction(string value, ILog log)
    {
        var parsed = Parse(value, AppCommandInstruction.Entrypoint, AllOf<AppCommandInstruction>());
        if (parsed is null)
        {
            log.Error(ErrorCodes.InvalidAppCommandInstruction, $"ContainerAppCommandInstruction '{value}' is not one of Entrypoint, DefaultArgs, None.");
        }

        return parsed;
    }

    private static T? ParseSwitch<T>(string value, string property, T unset, ILog log, params T[] allowed)
        where T : struct, Enum
    {
        allowed = allowed.Length > 0 ? allowed : AllOf<T>();
        var parsed = Parse(value, unset, allowed);
        if (parsed is null)
        {
            log.Error(ErrorCodes.InvalidSwitchValue, $"{property} '{value}' is not one of {string.Join(", ", allowed)}.");
        }

        return parsed;
    }

    /// <summary>By name only, in any case: Enum.TryParse would also take numbers.</summary>
    private static T? Parse<T>(string value, T unset, T[] allowed)
        where T : struct, Enum =>
        value.Length == 0 ? unset : allowed.Where(a => string.Equals(a.ToString(), value, StringComparison.OrdinalIgnoreCase)).Select(a => (T?)a).FirstOrDefault();

    private static T[] AllOf<T>()
        where T : struct, Enum => (T[])Enum.GetValues(typeof(T));

    private static bool Images(ContainerSettings settings, ILog log)
    {
        if (settings.ContainerFamily.Length > 0 && !KnownFamily.IsMatch(settings.ContainerFamily))
        {
            log.Error(ErrorCodes.UnknownFamily, $"ContainerFamily '{settings.ContainerFamily}' is not a known .NET image family (for example noble-chiseled, alpine, jammy). Set ContainerBaseImage to use another image.");
            return false;
        }

        if (settings.SdkImage.Length > 0 && !ImageReference.IsValidReference(settings.SdkImage))
        {
            log.Error(ErrorCodes.InvalidSdkImage, $"MultiStageSdkImage '{settings.SdkImage}' is not a valid image reference.");
            return false;
        }

        if (settings.ContainerBaseImage.Length > 0 && !ImageReference.IsValidReference(settings.ContainerBaseImage))
        {
            log.Error(ErrorCodes.InvalidBaseImage, $"ContainerBaseImage '{settings.ContainerBaseImage}' is not a valid image reference (registry/repository:tag, lowercase repository).");
            return false;
        }

        return true;
    }

    private static bool Command(ContainerSettings settings, ILog log) =>
        settings.AppCommand.Concat(settings.AppCommandArgs).Concat(settings.DefaultArgs)
            .All(value => Representable(value, "ContainerAppCommand/ContainerAppCommandArgs/ContainerDefaultArgs", log));

    private static string? CheckWorkingDirectory(ContainerSettings settings, ILog log)
    {
        var workdir = settings.ContainerWorkingDirectory.Length > 0 ? settings.ContainerWorkingDirectory : DefaultWorkingDirectory;
        if (!workdir.StartsWith("/", StringComparison.Ordinal))
        {
            log.Error(ErrorCodes.InvalidWorkingDirectory, $"ContainerWorkingDirectory '{workdir}' must be an absolute path such as /app/.");
            return null;
        }

        if (!Representable(workdir, "ContainerWorkingDirectory", log))
        {
            return null;
        }

        // Measured on the engine, both builders: a longer folder name fails (NAME_MAX), and the engine creates the
        // folder below its storage path, so a path near Linux's 4096 fails too (the classic builder from ~3900 on).
        var longest = workdir.Split('/').Max(Encoding.UTF8.GetByteCount);
        if (longest > MaxWorkingDirectoryNameBytes || Encoding.UTF8.GetByteCount(workdir) > MaxWorkingDirectoryBytes)
        {
            log.Error(ErrorCodes.InvalidWorkingDirectory, $"ContainerWorkingDirectory is {Encoding.UTF8.GetByteCount(workdir)} bytes long with a folder name of {longest}: the engine cannot create it. Keep each folder name within {MaxWorkingDirectoryNameBytes} bytes and the path within {MaxWorkingDirectoryBytes}.");
            return null;
        }

        return workdir;
    }

    /// <summary>
    /// MSBuild nodes for the publish in the build stage (0: MSBuild's default). With the build output cached, a rebuild
    /// recompiles few projects, and starting a second MSBuild node costs more than building them in parallel saves.
    /// </summary>
    private static int? CheckMaxCpuCount(ContainerSettings settings, bool cacheMounts, ILog log)
    {
        var value = settings.MaxCpuCount.Trim();
        if (value.Length == 0)
        {
            return cacheMounts ? 1 : 0;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 1024)
        {
            return count;
        }

        log.Error(ErrorCodes.InvalidMaxCpuCount, $"MultiStageMaxCpuCount '{settings.MaxCpuCount}' must be a whole number from 1 to 1024.");
        return null;
    }

    private static List<Expose>? CheckPorts(ContainerSettings settings, ILog log)
    {
        var result = new List<Expose>();
        foreach (var item in settings.Ports)
        {
            var type = item.Type.Length == 0 ? "tcp" : item.Type.ToLowerInvariant();
            if (!int.TryParse(item.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || type is not ("tcp" or "udp"))
            {
                log.Error(ErrorCodes.InvalidPort, $"ContainerPort '{item.Port}' (Type '{item.Type}') is not valid: the port must be a number from 1 to 65535 and Type tcp or udp.");
                return null;
            }

            result.Add(new Expose(port, type));
        }

        return Sorted(result);
    }

    private static List<Expose> Sorted(IEnumerable<Expose> ports) =>
        ports.Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal).ToList();

    /// <summary>As Microsoft.NET.Build.Containers: the ports the ASP.NET variables the user sets name.</summary>
    private static IEnumerable<Expose> PortsFromAspNetVariables(IReadOnlyList<KeyValuePair<string, string>> env)
    {
        foreach (var pair in env)
        {
            var values = pair.Key is "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_HTTPS_PORTS"
                ? pair.Value.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim())
                : pair.Key == "ASPNETCORE_URLS"
                    ? pair.Value.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(url => Regex.Match(url.Trim(), ":(\\d+)/?\\z")).Where(m => m.Success).Select(m => m.Groups[1].Value)
                    : Enumerable.Empty<string>();
            foreach (var value in values)
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
                {
                    yield return new Expose(port, "tcp");
                }
            }
        }
    }

    /// <summary>Name/value items by name, the last of a name winning; null (logged) when a name or value is not valid.</summary>
    private static List<KeyValuePair<string, string>>? Pairs(IReadOnlyList<KeyValuePair<string, string>> items, Func<string, bool> validName, string property, string code, string problem, ILog log)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in items)
        {
            if (!validName(pair.Key))
            {
                log.Error(code, $"{property} '{pair.Key}' {problem}.");
                return null;
            }

            if (!Representable(pair.Value, $"{property} '{pair.Key}'", log))
            {
                return null;
            }

            map[pair.Key] = pair.Value;
        }

        return map.ToList();
    }

    private static bool IsVariableName(string name) => VariableNameRegex.IsMatch(name);

    // Both builders split LABEL "a=b"="c" at the first '=' before unquoting, and fail on the unterminated quote.
    private static bool IsLabelName(string name) => name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '=');

    private static List<KeyValuePair<string, string>>? LabelsFromArguments(ContainerSettings settings, IReadOnlyList<KeyValuePair<string, string>> labels, ILog log)
    {
        var fromArgs = settings.LabelsFromBuildArgs
            .Where(p => !labels.Any(l => l.Key == p.Key))
            .GroupBy(p => p.Key, StringComparer.Ordinal).Select(g => g.Last())
            .OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var badName = fromArgs.Select(p => p.Value).OrderBy(n => n, StringComparer.Ordinal).FirstOrDefault(n => !IsVariableName(n));
        if (badName is not null)
        {
            log.Error(ErrorCodes.InvalidLabel, $"'{badName}' cannot be the build argument of a label: use letters, digits and '_'.");
            return null;
        }

        return fromArgs;
    }

    /// <summary>The user as given ("" when not set); null (logged) when it is not a user.</summary>
    private static string? CheckUser(ContainerSettings settings, ILog log)
    {
        if (settings.ContainerUser.Length > 0 && !UserRegex.IsMatch(settings.ContainerUser))
        {
            log.Error(ErrorCodes.InvalidUser, $"ContainerUser '{settings.ContainerUser}' is not a user name or uid (optionally ':group').");
            return null;
        }

        return settings.ContainerUser;
    }

    private static bool Representable(string value, string property, ILog log)
    {
        try
        {
            DockerfileWriter.CheckLine(value, property);
            return true;
        }
        catch (DockerfileValueException)
        {
            log.Error(ErrorCodes.UnrepresentableValue, $"{property} contains a line break or control character, which a Dockerfile cannot carry.");
            return false;
        }
    }
}
