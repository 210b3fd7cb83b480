using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Logging;
using MultiStage.Model;
using MultiStage.NuGet;

namespace MultiStage.Generation;

/// <summary>
/// The NuGet.config files of a build context as the build stage gets them: each rendered without secrets, whether
/// restore mounts the credentials secret, and what the user must hear about feeds the build stage cannot use.
/// </summary>
/// <param name="Files">Context-relative path of each rendering and its text.</param>
/// <param name="NeedsCredentials">A config restore reads, or the host's environment, holds credentials for one of its sources.</param>
public sealed record NuGetConfigRendering(IReadOnlyList<KeyValuePair<string, string>> Files, bool NeedsCredentials)
{
    /// <summary>The BuildKit secret id; <c>docker build --secret id=nuget-credentials,src=…</c> passes it.</summary>
    public const string SecretId = "nuget-credentials";

    /// <summary>
    /// NuGet reads every <c>*.config</c> of this folder as an extra user-level config. Mounted over the user-level
    /// <c>NuGet.Config</c> itself, the secret would hide the image's default source (nuget.org).
    /// </summary>
    public const string SecretTarget = "/root/.nuget/NuGet/config/multistage-credentials.config";

    public const string SecretMount = "type=secret,id=" + SecretId + ",target=" + SecretTarget;

    /// <summary>Reads and renders every config of <paramref name="layout"/>; null (logged) when one cannot be read or its secrets would reach the build.</summary>
    public static NuGetConfigRendering? Plan(ContextLayout layout, string entryProjectDirectory, BuilderKind builder, Func<string, string?> environment, string buildNetwork, ILog log)
    {
        var files = new List<KeyValuePair<string, string>>();
        var read = new Dictionary<string, NuGetConfigFile>(StringComparer.Ordinal);
        foreach (var placement in layout.NuGetConfigs)
        {
            NuGetConfigFile config;
            try
            {
                config = NuGetConfigFile.Read(placement.HostPath);
            }
            catch (NuGetConfigException e)
            {
                log.Error(ErrorCodes.NuGetConfigUnreadable, $"{e.Message}. Restore cannot read it either; fix the file.", placement.HostPath);
                return null;
            }

            read[placement.HostPath] = config;
            files.Add(new KeyValuePair<string, string>(placement.Rendering, config.RenderWithoutCredentials()));
            foreach (var dropped in config.DroppedSecrets)
            {
                log.Warning(ErrorCodes.NuGetSecretLeftOut, $"{placement.HostPath}: {dropped} is left out of the build stage's copy of this file: it is a secret and restore does not need it. Give a feed's password a <packageSourceCredentials> entry instead.", placement.HostPath);
            }
        }

        if (!KeptOutOfContext(layout, read, log))
        {
            return null;
        }

        var chain = NuGetConfigChain.Find(entryProjectDirectory, layout.Root).Where(read.ContainsKey).Select(p => read[p]).ToList();
        // On the host's network (MultiStageBuildNetwork=host), the build stage's loopback is this machine's.
        var hostNetwork = string.Equals(buildNetwork.Trim(), "host", StringComparison.OrdinalIgnoreCase);
        foreach (var unreachable in NuGetSourceSet.Unreachable(chain, layout.Root).Where(u => !(hostNetwork && u.Reason == UnreachableReason.Loopback)))
        {
            var source = unreachable.Source;
            log.Warning(ErrorCodes.UnreachableNuGetSource, unreachable.Reason == UnreachableReason.FolderOutsideContext
                ? $"The package source '{source.Name}' is the folder '{source.FolderPath}', outside the build context {layout.Root}: restore in the build stage cannot read it. Set MultiStageContextRoot to a folder that holds it, or publish its packages to a feed with a URL."
                : $"The package source '{source.Name}' ({source.Value}) is on this machine's loopback address: inside a build container that is the container itself. Build with MultiStageBuildNetwork=host (docker build --network host), or give the feed an address the build container reaches.", source.ConfigDirectory);
        }

        var credentials = NuGetCredentials.Collect(chain, environment);
        foreach (var name in credentials.EncryptedPasswordSources)
        {
            log.Warning(ErrorCodes.EncryptedNuGetPassword, $"The credentials of the package source '{name}' hold an encrypted Password (Windows DPAPI), which restore in a Linux build stage cannot decrypt. Use ClearTextPassword with a %VARIABLE% reference, or set {NuGetCredentials.EnvironmentPrefix}{name}=Username=…;Password=… in the environment of the build.");
        }

        var needsCredentials = credentials.ConfigText is not null;
        if (needsCredentials && builder == BuilderKind.Classic)
        {
            log.Error(ErrorCodes.NuGetCredentialsNeedBuildKit, $"The package sources {string.Join(", ", credentials.SourceNames.Select(n => "'" + n + "'"))} need credentials, which reach restore only as a BuildKit secret; the classic builder has none. Remove MultiStageBuilder=Classic (BuildKit is the default).");
            return null;
        }

        return new NuGetConfigRendering(files, needsCredentials);
    }

    /// <summary>
    /// A .dockerignore the user owns must keep out every config holding a secret: the sources are copied whole, and the
    /// context itself is sent to the engine. The generated .dockerignore always does.
    /// </summary>
    private static bool KeptOutOfContext(ContextLayout layout, IReadOnlyDictionary<string, NuGetConfigFile> configs, ILog log)
    {
        var ignorePath = Path.Combine(layout.Root, WellKnownNames.DockerIgnore);
        var secretHolders = layout.NuGetConfigs.Where(p => configs[p.HostPath].HasCredentials || configs[p.HostPath].DroppedSecrets.Count > 0).ToList();
        if (secretHolders.Count == 0 || !File.Exists(ignorePath) || FileOwnership.IsGenerated(File.ReadAllText(ignorePath)))
        {
            return true;
        }

        DockerIgnore ignore;
        try
        {
            ignore = DockerIgnore.Load(layout.Root);
        }
        catch (DockerIgnoreException)
        {
            // Reported by UserDockerIgnoreCheck; with no rule that can be read, nothing is kept out.
            ignore = DockerIgnore.Empty;
        }

        var ok = true;
        foreach (var placement in secretHolders.Where(p => !ignore.IsExcluded(p.Target)))
        {
            log.Error(ErrorCodes.NuGetConfigInContext, $"{ignorePath} lets '{placement.Target}', which holds credentials or other secrets, into the build context. Add the lines '{DockerIgnoreTemplate.NuGetConfigPattern}' and '!{NuGetConfigPlacement.RenderingFolder}/**' to it: the build stage gets a copy without secrets from {NuGetConfigPlacement.RenderingFolder}.", ignorePath);
            ok = false;
        }

        return ok;
    }
}
