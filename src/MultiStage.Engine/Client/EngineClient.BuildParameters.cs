using Docker.DotNet.Models;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>The options of a build request, as the engine receives them.</summary>
public sealed partial class EngineClient
{
    /// <summary>The query of the <c>/build</c> request: every build option the engine receives is set here.</summary>
    private static ImageBuildParameters CreateBuildParameters(BuildRequest request, IReadOnlyList<string> references, BuilderKind builder, bool pulledBaseImages, EngineInfo info, FileSyncOffer? fileSync) =>
        new()
        {
            // Synced, the Dockerfile is alone in the "dockerfile" directory, and "client-session" tells the engine
            // to take the context from the session instead of the request body, as `docker build` asks.
            Dockerfile = fileSync?.DockerfileName ?? request.DockerfilePath,
            RemoteContext = fileSync is null ? null : "client-session",
            Tags = references.ToList(),
            BuildArgs = BuildArgumentsFor(request, builder, info),
            // The engine reads cachefrom as one JSON array; Docker.DotNet repeats the key once per list element, and the
            // engine would then parse the first image name as JSON. One element holding the array gives the one key.
            CacheFrom = request.CacheFrom.Count > 0 ? [System.Text.Json.JsonSerializer.Serialize(request.CacheFrom)] : null,
            Labels = request.Labels.ToDictionary(p => p.Key, p => p.Value),
            Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform,
            Target = string.IsNullOrEmpty(request.TargetStage) ? null : request.TargetStage,
            NetworkMode = string.IsNullOrEmpty(request.NetworkMode) ? null : request.NetworkMode,
            NoCache = request.NoCache ? true : null,
            // Base images just pulled with credentials are fresh; BuildKit would pull them again, anonymously.
            Pull = request.Pull && !(pulledBaseImages && builder == BuilderKind.BuildKit) ? "1" : null,
            Remove = true,
            // The classic builder otherwise keeps the container of a failed step.
            ForceRemove = true,
            // Docker.DotNet passes "version" through: 2 runs BuildKit (on Docker 20.10 also on an uploaded archive
            // without a session, the path left for engines that refuse sessions).
            Version = builder == BuilderKind.BuildKit ? "2" : "1",
        };

    /// <summary>
    /// The request's build arguments, with the inline-cache switch when asked; for Buildah also the target platform's, which BuildKit predefines and Buildah 1.28
    /// (Podman 4.3) leaves empty: the generated build stage passes TARGETARCH to restore and publish. Those given win.
    /// </summary>
    private static Dictionary<string, string> BuildArgumentsFor(BuildRequest request, BuilderKind builder, EngineInfo info)
    {
        var arguments = request.BuildArgs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (request.InlineCache && builder == BuilderKind.BuildKit)
        {
            // BuildKit's inline-cache switch, when asked for; a value the user gave wins.
            arguments.TryAdd(InlineCacheArgument, "1");
        }

        if (builder == BuilderKind.Buildah)
        {
            var platform = string.IsNullOrEmpty(request.Platform) ? $"{info.OperatingSystem}/{info.Architecture}" : request.Platform;
            var parts = platform.Split('/');
            if (parts.Length >= 2 && parts.All(p => p.Length > 0))
            {
                arguments.TryAdd("TARGETPLATFORM", platform);
                arguments.TryAdd("TARGETOS", parts[0]);
                arguments.TryAdd("TARGETARCH", parts[1]);
                if (parts.Length > 2)
                {
                    arguments.TryAdd("TARGETVARIANT", parts[2]);
                }
            }
        }

        return arguments;
    }

    /// <summary>The build argument BuildKit reads to write the inline cache metadata into the image's config.</summary>
    public const string InlineCacheArgument = "BUILDKIT_INLINE_CACHE";

    private static string BuilderName(BuilderKind builder, EngineInfo info) => builder switch
    {
        BuilderKind.BuildKit => "BuildKit",
        BuilderKind.Buildah => $"Buildah (Podman {info.PodmanVersion})",
        _ => "the classic builder",
    };
}
