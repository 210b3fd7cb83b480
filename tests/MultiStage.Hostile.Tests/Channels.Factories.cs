using MultiStage.Diagnostics;
using MultiStage.Model;

namespace MultiStage.Hostile.Tests;

/// <summary>The makers of the table's channels, one per kind of parameter, and of the inputs they set.</summary>
internal static partial class Channels
{
    /// <summary>A duration or count of the health check: none of the hostile values is one.</summary>
    private static Channel HealthOption(string parameter, string source, Func<ContainerSettings, string, ContainerSettings> set, string benign) =>
        new(Gen, parameter, source, ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => set(s with { HealthCheck = new[] { "/app/App", "--health" } }, v)),
            Benign = benign,
            // Empty is the engine's default: the check stays, without the option.
            Expect = v => v.Hazards.HasFlag(Hazard.Empty) ? Expected.Contained : RefusesAllBut(_ => false, ErrorCodes.InvalidHealthCheck)(v),
        };

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);

    private static GenerationInput With(GenerationInput input, Func<ContainerSettings, ContainerSettings> change) => input with { Settings = change(input.Settings) };

    private static Channel Facts(string parameter, string source) => new(Gen, parameter, source, ChannelKind.Generation);

    private static Channel Typed(string task, string parameter) => new(task, parameter, "a bool", ChannelKind.Typed) { Why = "MSBuild refuses a non-boolean value (MSB4030) before the task runs" };

    private static Channel Internal(string task, string parameter, string source) => new(task, parameter, source, ChannelKind.Internal) { Why = "set by the SDK's targets, not by the user" };

    private static Channel EngineChannel(string parameter, string source) =>
        new(Build, parameter, source, ChannelKind.Engine) { Why = "an Engine API query parameter, never written into the Dockerfile" };

    private static Channel ImageChannel(string parameter, string source, Func<ContainerSettings, string, ContainerSettings> set, string code) =>
        new(Gen, parameter, source, ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => set(s, v)),
            Benign = "plain/image:1",
            // An image reference: lowercase repository, no spaces or quotes, at most 255 characters: none of the hostile values.
            Expect = RefusesAllBut(_ => false, code),
            Carries = (g, v) => g.Instructions.Any(i => i.Keyword == "FROM" && i.Arguments.Split(' ').Contains(v)),
        };

    private static Channel SwitchChannel(string parameter, string source, string benign, Func<ContainerSettings, string, ContainerSettings> set) =>
        new(Gen, parameter, source, ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => set(s, v)),
            Benign = benign,
            Expect = RefusesAllBut(_ => false, ErrorCodes.InvalidSwitchValue),
        };

    private static Channel CommandChannel(string parameter, string source, Func<ContainerSettings, string, ContainerSettings> set, string keyword) =>
        new(Gen, parameter, source, ChannelKind.Generation)
        {
            Set = (i, v) => With(i, s => set(s, v)),
            Expect = CarriesAllBut(Unrepresentable, ErrorCodes.UnrepresentableValue, empty: Expected.Exact),
            Carries = (g, v) => FinalAll(g, keyword).Any(e => e.Json()?.Contains(v) == true),
        };
}
