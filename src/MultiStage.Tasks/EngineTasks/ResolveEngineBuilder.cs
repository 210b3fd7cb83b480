using Microsoft.Build.Framework;
using MultiStage.Engine.Client;
using Task = Microsoft.Build.Utilities.Task;

namespace MultiStage.Tasks;

/// <summary>Asks the engine which builder will run the Dockerfile, so the generator writes a Dockerfile that builder parses.</summary>
public sealed class ResolveEngineBuilder : Task
{
    public string EngineEndpoint { get; set; } = "";

    [Output] public string Builder { get; set; } = "";

    public override bool Execute()
    {
        var log = new TaskLog(Log, "");
        try
        {
            using var client = EngineClient.Create(EngineEndpoint.Length > 0 ? EngineEndpoint : null);
            var info = client.GetInfoAsync().GetAwaiter().GetResult();
            // DOCKER_BUILDKIT=0 asks for the classic builder, as it does for the docker CLI.
            var classic = !info.SupportsBuildKit || Environment.GetEnvironmentVariable("DOCKER_BUILDKIT") == "0";
            Builder = classic ? "Classic" : "BuildKit";
            log.Info($"The engine at {client.Endpoint.Uri.OriginalString} builds with {Builder}.", Logging.Verbosity.Normal);
            return true;
        }
        catch (EngineException e)
        {
            log.Error(e.Code, e.Message);
            return false;
        }
    }
}
