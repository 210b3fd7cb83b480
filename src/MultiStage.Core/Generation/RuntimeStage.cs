using MultiStage.Dockerfiles;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>The runtime stage: the runtime image, the app's metadata, its layers by change frequency, the user and the command.</summary>
public static class RuntimeStage
{
    public const string Name = "final";

    /// <summary>
    /// The stage's instructions, after the stage its writable folders come from (if any); <paramref name="copyLayer"/>
    /// copies one layer and <paramref name="contextPath"/> names a ContainerFile in the build context. From
    /// <paramref name="fromImage"/> (an inner loop's dependencies image) instead of the runtime image when given.
    /// </summary>
    internal static List<Instruction> Instructions(ProjectFacts project, ResolvedSettings settings, ImageChoice images, IReadOnlyList<PublishLayer> layers, Func<PublishLayer, Copy> copyLayer, Func<RuntimeFile, string> contextPath, string? fromImage = null)
    {
        var i = RuntimeAdditions.EmptyStage(settings, images).ToList();
        i.Add(new From(fromImage ?? images.RuntimeImage, Name));
        // Before the metadata: a new version label or variable leaves the package layer cached.
        i.AddRange(RuntimeAdditions.Packages(settings, images));
        if (fromImage is null)
        {
            // An image built FROM the inner loop's dependencies image inherits its working directory.
            i.Add(new Workdir(settings.WorkingDirectory));
        }

        // After WORKDIR: BuildKit gives the folders a COPY creates to its owner, and the app's own folder stays root's.
        i.AddRange(RuntimeAdditions.FilesAndFolders(settings, images, contextPath));

        i.AddRange(Ports(project, settings));
        if (settings.EnvironmentVariables.Count > 0)
        {
            i.Add(new Env(settings.EnvironmentVariables));
        }

        var fromArgs = settings.LabelsFromBuildArgs;
        i.AddRange(fromArgs.Select(p => p.Value).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).Select(name => new Arg(name)));
        var labels = Labels(settings, images);
        if (labels.Count > 0 || fromArgs.Count > 0)
        {
            i.Add(new Label(labels, fromArgs.Count > 0 ? fromArgs : null));
        }

        if (settings.HealthCheck is { } health)
        {
            i.Add(health);
        }

        i.Add(new Comment(LayerComment(layers)));
        i.AddRange(layers.Select(copyLayer));
        i.Add(AppUser(settings, images));
        i.AddRange(EntryInstructions(project, settings, images));
        return i;
    }

    /// <summary>The user the app runs as, and owner of its files: ContainerUser, else the base image's non-root app user.</summary>
    internal static User AppUser(ResolvedSettings settings, ImageChoice images) =>
        // Microsoft's images define APP_UID (the non-root 'app' user); another base may not, so fall back to its uid.
        settings.User is { } user ? new User(user) : new User(images.RuntimeImageInferred ? "$APP_UID" : "${APP_UID:-1654}", IsExpression: true);

    /// <summary>
    /// The ContainerPort items; for a web app, like Microsoft.NET.Build.Containers, also the ports Kestrel listens on:
    /// those of the ASP.NET variables, else the image's ASPNETCORE_HTTP_PORTS (8080), which a ContainerPort does not turn off.
    /// </summary>
    private static IReadOnlyList<Expose> Ports(ProjectFacts project, ResolvedSettings settings) =>
        !project.IsWeb ? settings.Ports
        : settings.Ports.Concat(settings.AspNetPorts.Count > 0 ? settings.AspNetPorts : new[] { new Expose(8080, "tcp") })
            .Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal).ToList();

    /// <summary>The user's and generated labels, with the base image's name and pinned digest (a label the user set of the same name wins).</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Labels(ResolvedSettings settings, ImageChoice images)
    {
        var generated = new List<KeyValuePair<string, string>>();
        if (settings.BaseNameLabel)
        {
            generated.Add(new(BaseNameLabel, images.RuntimeImage));
        }

        var at = images.RuntimeImage.IndexOf('@');
        if (at > 0 && settings.BaseDigestLabel)
        {
            generated.Add(new(BaseDigestLabel, images.RuntimeImage.Substring(at + 1)));
        }

        return generated.Where(g => !settings.Labels.Any(l => l.Key == g.Key)).Concat(settings.Labels)
            .OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
    }

    public const string BaseNameLabel = "org.opencontainers.image.base.name";
    public const string BaseDigestLabel = "org.opencontainers.image.base.digest";

    private static string LayerComment(IReadOnlyList<PublishLayer> layers)
    {
        var names = layers.Select(l => l switch
        {
            PublishLayer.Runtime => "runtime files",
            PublishLayer.Packages => "NuGet packages",
            PublishLayer.Resources => "the app's resources (apphost, config, content)",
            PublishLayer.Projects => "its ProjectReferences",
            _ => "its own assemblies",
        }).ToList();
        return "Layers by change frequency: " + string.Join(", ", names.Take(names.Count - 1)) + ", then " + names[names.Count - 1] + ".";
    }

    private static IEnumerable<Instruction> EntryInstructions(ProjectFacts project, ResolvedSettings settings, ImageChoice images)
    {
        var dir = settings.WorkingDirectory.TrimEnd('/') + "/";
        var command = settings.AppCommand.Count > 0
            ? settings.AppCommand.ToList()
            : images.SelfContained
                ? new List<string> { dir + project.AssemblyName }
                : new List<string> { "dotnet", dir + project.TargetFileName };
        command.AddRange(settings.AppCommandArgs);
        switch (settings.AppCommandInstruction)
        {
            case AppCommandInstruction.Entrypoint:
                yield return new Entrypoint(command);
                if (settings.DefaultArgs.Count > 0)
                {
                    yield return new Cmd(settings.DefaultArgs);
                }

                break;
            case AppCommandInstruction.DefaultArgs:
                yield return new Cmd(command.Concat(settings.DefaultArgs).ToList());
                break;
        }
    }
}
