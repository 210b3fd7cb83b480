using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Client;
using MultiStage.Generation;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>
/// Starts, in the background, what <see cref="BuildImage"/> begins with (see <see cref="EngineClient.WarmUpAsync"/>),
/// so that loading and compiling the engine client overlaps the host's work (the inner loop's compile, on the previous
/// inner-loop build's context; generation, for an image build of the generated Dockerfile) instead of following it.
/// Returns at once.
/// </summary>
public sealed class WarmUpEngine : Task
{
    public string EngineEndpoint { get; set; } = "";

    /// <summary>LocalRegistry, as for <see cref="BuildImage"/>.</summary>
    public string LocalRegistry { get; set; } = "";

    /// <summary>The inner loop's folder (Dockerfiles and layers of the previous build, when there was one); empty for an image build of the generated Dockerfile, where only the client warms up.</summary>
    public string InnerLoopDirectory { get; set; } = "";

    public override bool Execute()
    {
        var endpoint = EngineEndpoint;
        var directory = InnerLoopDirectory;
        var localRegistry = LocalRegistry;
        _ = System.Threading.Tasks.Task.Run(async () =>
        {
            // Nothing is logged or reported from here: a task may not log once it has returned, and the image build
            // makes the same requests and reports what fails.
            try
            {
                using var client = EngineClient.Create(endpoint.Length > 0 ? endpoint : null, localRegistry);
                if (directory.Length == 0)
                {
                    await client.WarmUpAsync([], null).ConfigureAwait(false);
                    return;
                }

                var dockerfile = Path.Combine(directory, InnerLoopDependencies.AppDockerfileName);
                var context = File.Exists(dockerfile)
                    ? new DirectoryBuildContext(directory, InnerLoopDependencies.AppDockerfileName, null, DockerIgnore.Parse(InnerLoopDependencies.AppContextIgnore))
                    : null;
                await client.WarmUpAsync(InnerLoopDependencies.PreviousBaseImages(directory), context).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A warm-up must never fail the build, whatever goes wrong in it.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Warming up the engine client in the background.");
        return true;
    }
}
