using System.Runtime.Versioning;
using MultiStage.Dockerfiles;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The generator's checks of working directories, label and variable names against the engine itself, with both
/// builders: every value the settings accept builds and arrives exactly in the image, and every value the engine
/// rejects is refused at generation (docs/errors.md, MSTAGE110 and MSTAGE122, records the limits found here).
/// </summary>
[TestClass]
[TestCategory("Engine")]
[UnsupportedOSPlatform("windows")]
public sealed class EngineValueLimitTests
{
    private static readonly ProjectFacts App = new() { ProjectPath = "/repo/App/App.csproj", AssemblyName = "App", TargetFileName = "App.dll" };

    /// <summary>A path of <paramref name="length"/> bytes made of folder names of at most <paramref name="name"/> bytes.</summary>
    private static string LongPath(int length, int name)
    {
        var path = "";
        while (path.Length < length)
        {
            path += "/" + new string('w', Math.Min(name, length - path.Length - 1));
        }

        return path;
    }

    private static readonly string[] LabelNames = { "org.opencontainers.image.title", "a\"b\\$c#é-", "--chown", "a=b", "--chown=0" };
    private static readonly string[] VariableNames = { "A1", "_x", "a.b", "a:b", "a-b" };

    private static readonly string[] WorkingDirectories =
    {
        LongPath(ResolvedSettings.MaxWorkingDirectoryBytes, ResolvedSettings.MaxWorkingDirectoryNameBytes),
        LongPath(400, ResolvedSettings.MaxWorkingDirectoryNameBytes + 1),
        LongPath(4095, 100),
        LongPath(10240, 100),
    };

    private static bool Accepted(ContainerSettings settings) => ResolvedSettings.Resolve(settings, App, new TestLog()) is not null;

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task WhatTheSettingsAcceptBuildsExactlyAndWhatTheEngineRejectsIsRefused(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var labels = LabelNames.Select(n => new KeyValuePair<string, string>(n, "v " + n)).ToList();
        var variables = VariableNames.Select(n => new KeyValuePair<string, string>(n, "v " + n)).ToList();
        var candidates = labels.Select(l => (What: "label " + l.Key, Ok: Accepted(new ContainerSettings { Labels = new[] { l } }), Instruction: (Instruction)new Label(new[] { l })))
            .Concat(variables.Select(v => (What: "variable " + v.Key, Ok: Accepted(new ContainerSettings { EnvironmentVariables = new[] { v } }), Instruction: (Instruction)new Env(new[] { v }))))
            .Concat(WorkingDirectories.Select(w => (What: $"workdir of {w.Length}", Ok: Accepted(new ContainerSettings { ContainerWorkingDirectory = w }), Instruction: (Instruction)new Workdir(w))))
            .ToList();
        Assert.IsTrue(candidates.Any(c => c.Ok) && candidates.Any(c => !c.Ok), "both kinds are tried");

        // Everything accepted, in one image: it builds, and each value arrives as it was given.
        var accepted = candidates.Where(c => c.Ok).ToList();
        var image = await BuildAsync(client, builder, accepted.Select(c => c.Instruction));
        Assert.IsNotNull(image, "an accepted value failed on the engine: " + string.Join(", ", accepted.Select(c => c.What)));
        try
        {
            using var docker = EngineTestEnvironment.Raw();
            var config = (await docker.Images.InspectImageAsync(image.Value.Id)).Config!;
            foreach (var label in labels.Where(l => accepted.Any(c => c.What == "label " + l.Key)))
            {
                Assert.AreEqual(label.Value, config.Labels![label.Key], label.Key);
            }

            foreach (var variable in variables)
            {
                CollectionAssert.Contains(config.Env!.ToList(), variable.Key + "=" + variable.Value);
            }

            Assert.AreEqual(WorkingDirectories[0], config.WorkingDir);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync(image.Value.Reference);
        }

        // Each value the engine rejects is one the settings refuse.
        foreach (var candidate in new[] { "label a=b", "label --chown=0", $"workdir of {WorkingDirectories[1].Length}", $"workdir of {WorkingDirectories[2].Length}", $"workdir of {WorkingDirectories[3].Length}" })
        {
            var instruction = candidates.Single(c => c.What == candidate).Instruction;
            var built = await BuildAsync(client, builder, new[] { instruction });
            if (built is not null)
            {
                await EngineTestEnvironment.RemoveAsync(built.Value.Reference);
            }

            Assert.IsNull(built, $"{candidate} built on {builder}: the refusal is stricter than the engine, update the limit and docs/errors.md");
            Assert.IsFalse(candidates.Single(c => c.What == candidate).Ok, $"{candidate} fails on the engine but is accepted");
        }
    }

    /// <summary>The image built from scratch with these instructions; null when the engine rejects the Dockerfile.</summary>
    private static async Task<(string Id, string Reference)?> BuildAsync(EngineClient client, BuilderKind builder, IEnumerable<Instruction> instructions)
    {
        using var dir = new TempDirectory();
        dir.Write("Dockerfile", DockerfileWriter.Write(new Dockerfile(new Instruction[] { new From("scratch") }.Concat(instructions).ToList())));
        var repository = EngineTestEnvironment.UniqueRepository("limits");
        try
        {
            var result = await client.BuildAsync(EngineTestEnvironment.OfflineBuild(dir.Path, repository, builder), new TestLog());
            return (result.ImageId, repository + ":1");
        }
        catch (EngineException)
        {
            return null;
        }
    }
}
