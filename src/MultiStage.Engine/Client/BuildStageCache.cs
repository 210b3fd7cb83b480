using MultiStage.Generation;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Engine.Client;

/// <summary>
/// The build stage's registry cache (MultiStageBuildStageCache). <c>/build</c> exports only the inline cache of the image
/// it builds, which for the final image leaves out the build stage's restore and publish. So the build stage is built on
/// its own with the inline cache, after the image (every step then comes from the local cache), and pushed under a cache
/// tag of the image's repository; later builds name that tag in <c>cachefrom</c>, and a fresh runner takes the restore
/// step from the registry instead of running it.
/// </summary>
/// <param name="Tag">The cache tag (MultiStageBuildStageCacheTag).</param>
/// <param name="Reference">The cache image in the registry, "registry/repository:tag".</param>
public sealed record BuildStageCache(string Tag, string Reference)
{
    public const string DefaultTag = "buildcache";

    /// <summary>
    /// The cache of this build, or null when it has none: switched off, no inline cache, no registry to push to, or the
    /// inner loop (no build stage). <paramref name="skipped"/> then says why when the user asked for a cache the build
    /// cannot make (several platforms, another target stage); it stays null when the cache simply does not apply.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE250 when the tag is one of the image's; MSTAGE251 when it is no tag.</exception>
    public static BuildStageCache? For(bool enabled, string tag, BuildRequest image, string? registry, int platforms, out string? skipped)
    {
        skipped = null;
        if (!enabled || !image.InlineCache || string.IsNullOrWhiteSpace(registry) || image.Repository is null)
        {
            return null;
        }

        tag = tag.Trim().Length == 0 ? DefaultTag : tag.Trim();
        if (ImageReference.CheckTag(tag) is { } problem)
        {
            throw new EngineException(EngineErrorCodes.InvalidBuildStageCacheTag,
                $"MultiStageBuildStageCacheTag: {Diagnostics.CharacterNames.Escape(problem)}. Set a tag such as '{DefaultTag}', or MultiStageBuildStageCache=false.");
        }

        if (image.Tags.Contains(tag, StringComparer.Ordinal))
        {
            throw new EngineException(EngineErrorCodes.BuildStageCacheTagIsImageTag,
                $"The build stage's cache tag '{tag}' is also a tag of the image: its push would replace the image in the registry. Set MultiStageBuildStageCacheTag to another tag, or MultiStageBuildStageCache=false.");
        }

        if (platforms > 1)
        {
            skipped = "The build stage's cache is not pushed for a multi-platform image (ContainerRuntimeIdentifiers): each platform's build stage would need its own cache tag.";
            return null;
        }

        if (image.TargetStage is not null)
        {
            skipped = $"The build stage's cache is not pushed: MultiStageBuildTarget ({image.TargetStage}) builds another stage than the image's last.";
            return null;
        }

        return new BuildStageCache(tag, ReferenceOf(registry, image.Repository, tag));
    }

    /// <summary>Why <paramref name="builder"/> cannot make the cache; null for BuildKit, the one builder that writes the inline cache.</summary>
    public static string? Unsupported(BuilderKind builder) => builder switch
    {
        BuilderKind.BuildKit => null,
        BuilderKind.Buildah => "The build stage's cache is not pushed: Podman's builder (Buildah) writes no BuildKit inline cache, so a cache image of the build stage would serve no later build.",
        _ => "The build stage's cache is not pushed: the classic builder writes no BuildKit inline cache (MultiStageCacheTo=inline is BuildKit's).",
    };

    /// <summary>The registry reference a push of "<paramref name="repository"/>:<paramref name="tag"/>" to <paramref name="registry"/> makes.</summary>
    public static string ReferenceOf(string registry, string repository, string tag) =>
        $"{RegistryCredentialResolver.NormalizeRegistry(registry)}/{ImageReference.SplitRegistry(repository).Path}:{tag}";

    /// <summary>The cache sources with this cache among them (last: the image's own tags are tried first), once.</summary>
    public IReadOnlyList<string> AddTo(IReadOnlyList<string> cacheFrom) =>
        cacheFrom.Contains(Reference, StringComparer.Ordinal) ? cacheFrom : [.. cacheFrom, Reference];

    /// <summary>
    /// The build of the build stage alone, with the image build's context, arguments and cache sources: after the image,
    /// every step of it is in the local cache. Base images are not pulled again.
    /// </summary>
    public BuildRequest Request(BuildRequest image) => image with
    {
        // The image build has warned of a large context already.
        Context = image.Context is DirectoryBuildContext d
            ? new DirectoryBuildContext(d.ContextDirectory, d.DockerfilePath, d.ExtraFiles, d.Ignore) { AlsoExcluded = d.AlsoExcluded }
            : image.Context,
        TargetStage = BuildStage.Name,
        Tags = [Tag],
        InlineCache = true,
        Pull = false,
        NoCache = false,
    };
}
