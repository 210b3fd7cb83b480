using System.Text.Json;
using MultiStage.Diagnostics;

namespace MultiStage.Engine.Client;

/// <summary>
/// The rules a build argument must meet before it is sent. The engine takes build arguments as JSON in the request's
/// address, so a name or value it cannot carry fails here, with the argument named, instead of as a broken request.
/// </summary>
public static class BuildArguments
{
    /// <summary>
    /// Most characters the build arguments may take in the request address once encoded. The engine reads at most
    /// 1 MiB of request line and headers and drops the connection past it (a broken pipe here, not an error); the
    /// registry credentials header and the other options need room too. Larger values belong in a file of the context.
    /// </summary>
    public const int MaxEncodedLength = 512 * 1024;

    /// <summary>Collects name/value pairs (MSBuild items) into the request's arguments; a name given twice is an error, not a silent choice.</summary>
    /// <exception cref="EngineException">With <see cref="EngineErrorCodes.InvalidBuildArgument"/>.</exception>
    public static IReadOnlyDictionary<string, string> Collect(IEnumerable<KeyValuePair<string, string>> arguments)
    {
        var collected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            if (!collected.TryAdd(name, value))
            {
                throw Invalid($"The build argument '{Shown(name)}' is given more than once (MultiStageBuildArg items). Keep one of them; the values differ in what the image gets.");
            }
        }

        Check(collected);
        return collected;
    }

    /// <summary>Checks names and values; throws for the first one the request cannot carry.</summary>
    /// <exception cref="EngineException">With <see cref="EngineErrorCodes.InvalidBuildArgument"/>.</exception>
    public static void Check(IReadOnlyDictionary<string, string> arguments)
    {
        foreach (var (name, value) in arguments)
        {
            if (name.Length == 0)
            {
                throw Invalid("A build argument has an empty name (a MultiStageBuildArg item with an empty Include).");
            }

            // ARG takes the name up to '='; whitespace and control characters cannot be declared at all.
            foreach (var c in name)
            {
                if (c == '=' || char.IsWhiteSpace(c) || CharacterNames.IsUnprintable(c))
                {
                    throw Invalid($"The build argument name '{Shown(name)}' contains {CharacterNames.Describe(c)}: a Dockerfile ARG cannot declare it. Use letters, digits and '_'.");
                }
            }

            // A NUL cannot be part of a process environment: every RUN step that sees the argument would fail.
            if (value.Contains('\0'))
            {
                throw Invalid($"The value of the build argument '{Shown(name)}' contains a NUL character (U+0000), which no RUN step could receive.");
            }
        }

        var encoded = Uri.EscapeDataString(JsonSerializer.Serialize(arguments)).Length;
        if (encoded > MaxEncodedLength)
        {
            var largest = arguments.MaxBy(a => a.Value.Length);
            throw Invalid($"The build arguments take {encoded} characters in the request, more than the {MaxEncodedLength} it can carry (the largest is '{Shown(largest.Key)}', {largest.Value.Length} characters). Put large values in a file of the build context and COPY it instead.");
        }
    }

    private static EngineException Invalid(string message) => new(EngineErrorCodes.InvalidBuildArgument, message);

    /// <summary>The name as the message can show it: control characters escaped, very long names cut.</summary>
    private static string Shown(string name)
    {
        var shown = CharacterNames.Escape(name);
        return shown.Length <= 80 ? shown : shown[..80] + "…";
    }
}
