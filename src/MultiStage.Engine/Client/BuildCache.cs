using MultiStage.Diagnostics;
using MultiStage.Inference;

namespace MultiStage.Engine.Client;

/// <summary>
/// MultiStageCacheFrom and MultiStageCacheTo as the Engine API takes them. <c>/build</c> imports cache from images
/// (<c>cachefrom</c>) and exports it only inline, into the built image (<c>BUILDKIT_INLINE_CACHE</c>), on Docker 20.10 as
/// on newer engines; registry and local cache exports (<c>type=registry</c>, <c>mode=max</c>) need buildx's own BuildKit
/// client, which this client is not.
/// </summary>
public static class BuildCache
{
    public const string Inline = "inline";

    /// <summary>The <c>;</c>-separated image references of MultiStageCacheFrom; throws MSTAGE224 naming the first that is not one.</summary>
    public static IReadOnlyList<string> ParseCacheFrom(string value)
    {
        var images = value.Split(';').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        foreach (var image in images.Where(i => !ImageReference.IsValidReference(i)))
        {
            throw new EngineException(EngineErrorCodes.InvalidCacheFrom,
                $"MultiStageCacheFrom '{CharacterNames.Escape(image)}' is not an image reference: give images as 'registry/repository:tag', separated by ';' (the previous build's image, pushed with MultiStageCacheTo=inline).");
        }

        return images;
    }

    /// <summary>Whether MultiStageCacheTo asks for the inline cache; throws MSTAGE225 for an export the Engine API cannot make.</summary>
    public static bool ParseCacheTo(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return false;
        }

        if (string.Equals(trimmed, Inline, StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, "type=" + Inline, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new EngineException(EngineErrorCodes.UnsupportedCacheTo,
            $"MultiStageCacheTo '{CharacterNames.Escape(trimmed)}' is not 'inline': the Docker Engine API builds export their cache only into the image itself. Set MultiStageCacheTo=inline and push the image (ContainerRegistry), then name it in MultiStageCacheFrom; a registry cache export (type=registry) needs 'docker buildx build --cache-to' (docs/ci/README.md).");
    }
}
