using MultiStage.Diagnostics;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Logging;

namespace MultiStage.Generation;

/// <summary>
/// A .dockerignore the user owns (generation never overwrites it) may exclude what the build stage copies: say so
/// at generation, before the image build fails obscurely or silently misses a file.
/// </summary>
public static class UserDockerIgnoreCheck
{
    /// <summary>Warns (MSTAGE151) for each copied path the user's .dockerignore excludes, or when it cannot be parsed.</summary>
    public static void Warn(GenerationResult result, ILog log)
    {
        if (result.DockerIgnoreText is not null || !File.Exists(result.DockerIgnorePath))
        {
            return;
        }

        DockerIgnore ignore;
        try
        {
            ignore = DockerIgnore.Load(result.ContextRoot);
        }
        catch (DockerIgnoreException e)
        {
            log.Warning(ErrorCodes.DockerIgnoreExcludesInput, $"{result.DockerIgnorePath} cannot be read as a .dockerignore: {e.Message}", result.DockerIgnorePath);
            return;
        }

        foreach (var path in result.CopiedPaths.Where(p => p.Length > 0 && ignore.IsExcluded(p.TrimEnd('/'))))
        {
            log.Warning(ErrorCodes.DockerIgnoreExcludesInput, $"{result.DockerIgnorePath} excludes '{path}', which the build stage copies; the image build will fail or miss it. Add '!{path.TrimEnd('/')}' or remove the pattern.", result.DockerIgnorePath);
        }
    }
}
