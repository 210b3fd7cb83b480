using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// The inner loop's two Dockerfiles: the runtime stage alone over the host's own layered publish output, and the
/// image of the layers that change least (see <see cref="InnerLoopDependencies"/>) it starts from.
/// </summary>
public static class InnerLoopDockerfiles
{
    /// <summary>
    /// The runtime stage alone, copying the layers of the host's own publish output from the context, so a rebuild
    /// costs an incremental publish plus one small layer. With a dependencyImage (the image of <see cref="Dependencies"/>,
    /// which already holds the runtime and package layers) the Dockerfile starts from it and copies only the layers above them.
    /// </summary>
    public static Dockerfile FromPublishedLayers(ProjectFacts project, ResolvedSettings settings, ImageChoice images, string? dependencyImage = null)
    {
        var i = new List<Instruction>
        {
            new Comment($"{DockerfileBuilder.HeaderLine} (inner loop) from {Path.GetFileName(project.ProjectPath)}: the host's publish output, layered by change frequency."),
        };
        // The host's split writes every layer.
        var layers = dependencyImage is null ? PublishLayers.InOrder : PublishLayers.InOrder.Except(InnerLoopDependencies.Layers).ToList();
        i.AddRange(RuntimeStage.Instructions(project, settings, images, layers, layer => new Copy(new[] { InnerLoopDependencies.ContextPath(layer) }, "."),
            file => ContainerFilePath(settings, file), dependencyImage));
        return new Dockerfile(i);
    }

    /// <summary>The folder of the inner-loop directory that holds a copy of each ContainerFile (the project's folders are not in its context).</summary>
    public const string ContainerFilesFolder = "container-files";

    /// <summary>Where the inner loop's context holds a ContainerFile: its own numbered folder, under its own name.</summary>
    public static string ContainerFilePath(ResolvedSettings settings, RuntimeFile file) =>
        ContainerFilesFolder + "/" + settings.Files.ToList().IndexOf(file) + "/" + Path.GetFileName(file.Source);

    /// <summary>
    /// The runtime image plus the layers that change least (runtime files, NuGet packages), built once per content
    /// and reused by every rebuild after an edit, which then sends only the app's own layers.
    /// </summary>
    public static Dockerfile Dependencies(ProjectFacts project, ResolvedSettings settings, ImageChoice images)
    {
        var i = new List<Instruction>
        {
            new Comment($"{DockerfileBuilder.HeaderLine} (inner loop) from {Path.GetFileName(project.ProjectPath)}: the layers that change least, reused while their files stay the same."),
            new From(images.RuntimeImage, RuntimeStage.Name),
            new Workdir(settings.WorkingDirectory),
        };
        i.AddRange(InnerLoopDependencies.Layers.Select(layer => new Copy(new[] { InnerLoopDependencies.ContextPath(layer) }, ".")));
        return new Dockerfile(i);
    }
}
