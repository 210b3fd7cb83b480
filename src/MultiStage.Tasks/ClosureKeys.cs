using Microsoft.Build.Framework;
using MultiStage.Incrementality;

namespace MultiStage.Tasks;

/// <summary>
/// The global properties the ProjectReference closure is evaluated with, and the closure cache's key from them: one
/// home for both, as <see cref="GenerateDockerfile"/> stores the cache and <see cref="ClosureUnchanged"/> reads it
/// in the restore that runs before.
/// </summary>
internal static class ClosureKeys
{
    public static IDictionary<string, string> GlobalPropertiesForGraph(IBuildEngine engine)
    {
        var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (engine is IBuildEngine6 withGlobals)
        {
            foreach (var pair in withGlobals.GetGlobalProperties())
            {
                properties[pair.Key] = pair.Value;
            }
        }

        // The graph is read for its files, not built: keep it from running this SDK's own hooks.
        properties["MultiStageGenerateOnPublish"] = "false";
        return properties;
    }

    /// <summary>What the evaluation depends on besides files: the entry project, global properties and the MSBuild (SDK) running it.</summary>
    public static string ClosureKey(string projectPath, IDictionary<string, string> properties) =>
        ClosureCache.Key(new[]
            {
                projectPath,
                typeof(Microsoft.Build.Evaluation.ProjectCollection).Assembly.Location,
                Microsoft.Build.Evaluation.ProjectCollection.DisplayVersion,
            }
            .Concat(properties.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key + "=" + p.Value)));
}
