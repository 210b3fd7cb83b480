using MultiStage.Diagnostics;
using MultiStage.IO;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The inner loop's generation: Dockerfiles over the host's own publish output.</summary>
public static partial class Generator
{
    /// <summary>
    /// Inner loop: writes into <paramref name="directory"/> a Dockerfile that assembles the image from the host's
    /// publish output, already split into <c>layers/&lt;layer&gt;</c> there, on top of a dependencies image (runtime and
    /// package layers, see <see cref="InnerLoopDependencies"/>) when those layers hold files, and the list of the images
    /// they start from. The repository's Dockerfile is untouched.
    /// </summary>
    public static GenerationResult? GenerateInnerLoop(ProjectFacts project, ContainerSettings settings, string directory, ILog log)
    {
        if (Prepare(project, settings, log) is not var (resolved, images))
        {
            return null;
        }

        var dependencies = Render(InnerLoopDockerfiles.Dependencies(project, resolved, images), log);
        if (dependencies is null)
        {
            return null;
        }

        var path = Path.Combine(directory, InnerLoopDependencies.AppDockerfileName);
        var dependenciesPath = Path.Combine(directory, InnerLoopDependencies.DockerfileName);
        string? dependencyImage;
        string? text;
        try
        {
            var tag = InnerLoopDependencies.Tag(Path.Combine(directory, InnerLoopDependencies.LayersFolder), dependencies, project.RuntimeIdentifier);
            dependencyImage = tag is null ? null : resolved.Repository + ":" + tag;
            text = Render(InnerLoopDockerfiles.FromPublishedLayers(project, resolved, images, dependencyImage), log);
            if (text is null)
            {
                return null;
            }

            if (dependencyImage is null)
            {
                File.Delete(dependenciesPath);
            }
            else
            {
                AtomicFile.WriteIfChanged(dependenciesPath, dependencies);
            }

            foreach (var file in resolved.Files)
            {
                CopyIfChanged(file.Source, Path.Combine(directory, InnerLoopDockerfiles.ContainerFilePath(resolved, file)));
            }

            AtomicFile.WriteIfChanged(path, text);
            InnerLoopDependencies.WriteBaseImages(directory, dependencyImage, images.RuntimeImage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Error(ErrorCodes.WriteFailed, $"Could not write the inner loop's Dockerfiles in {directory}: {e.Message}");
            return null;
        }

        return new GenerationResult
        {
            ContextRoot = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar),
            DockerfilePath = path,
            DockerfileText = text,
            DockerIgnorePath = Path.Combine(directory, WellKnownNames.DockerIgnore),
            Repository = resolved.Repository,
            Tags = resolved.Tags,
            Images = images,
            // The dependencies image exists only in this engine; the image build makes it before it is needed.
            BaseImages = new[] { images.RuntimeImage },
            DependencyImage = dependencyImage,
            DependencyDockerfilePath = dependencyImage is null ? null : dependenciesPath,
        };
    }

    /// <summary>A ContainerFile into the inner loop's context; an unchanged copy keeps its time, so the context stays the same.</summary>
    private static void CopyIfChanged(string source, string destination)
    {
        if (File.Exists(destination) && File.ReadAllBytes(destination).AsSpan().SequenceEqual(File.ReadAllBytes(source)))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
    }
}
