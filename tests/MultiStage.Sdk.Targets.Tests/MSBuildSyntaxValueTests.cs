using MultiStage.Hostile.Tests;
using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>
/// The hostile-value harness's MSBuild cells (tests/MultiStage.Hostile.Tests tries every value at the task's
/// boundary): what MSBuild's own syntax does on the way there. A project file writes ';', '$', '@' and '%' as the
/// escapes %3B, %24, %40 and %25; a value so written reaches the image as the text it stands for, through the SDK's
/// own item copies (_MultiStageLabel), never expanded a second time.
/// </summary>
[TestClass]
public sealed class MSBuildSyntaxValueTests
{
    private static readonly (string Escaped, string Text)[] Values =
    {
        ("a%3Bb", "a;b"),
        ("%24(MSBuildProjectName)", "$(MSBuildProjectName)"),
        ("%40(Compile)", "@(Compile)"),
        ("100%25", "100%"),
        ("%2524HOME", "%24HOME"),
        ("a;b", "a;b"),
    };

    [TestMethod]
    public void EscapedValuesArriveAsTheTextTheyStandFor()
    {
        var workspace = Workspace.Create("console");
        var items = Values.Select((v, i) =>
            $"    <ContainerEnvironmentVariable Include=\"H_{i}\" Value=\"{v.Escaped}\" />\n" +
            $"    <ContainerLabel Include=\"org.hostile.{i}\" Value=\"{v.Escaped}\" />\n" +
            (v.Escaped.Contains(';') ? "" : $"    <ContainerAppCommandArgs Include=\"{v.Escaped}\" />\n"));
        workspace.AddToProject("  <ItemGroup>\n" + string.Concat(items) + "  </ItemGroup>");
        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage").EnsureSuccess();

        var final = DockerfileReader.FinalStage(DockerfileReader.Read(File.ReadAllText(workspace.Dockerfile)));
        var env = final.Where(i => i.Keyword == "ENV").SelectMany(i => i.Pairs()!).ToList();
        var labels = final.Where(i => i.Keyword == "LABEL").SelectMany(i => i.Pairs() ?? []).ToList();
        var entrypoint = final.Single(i => i.Keyword == "ENTRYPOINT").Json()!;
        for (var i = 0; i < Values.Length; i++)
        {
            CollectionAssert.Contains(env, new KeyValuePair<string, string>($"H_{i}", Values[i].Text), Values[i].Escaped);
            CollectionAssert.Contains(labels, new KeyValuePair<string, string>($"org.hostile.{i}", Values[i].Text), Values[i].Escaped);
            if (!Values[i].Escaped.Contains(';'))
            {
                CollectionAssert.Contains(entrypoint.ToList(), Values[i].Text, Values[i].Escaped);
            }
        }
    }
}
