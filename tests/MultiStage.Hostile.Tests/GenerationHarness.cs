using MultiStage.Core.Tests;
using MultiStage.Generation;

namespace MultiStage.Hostile.Tests;

/// <summary>What one generation did: its result, or the errors it reported, or the exception that escaped it.</summary>
internal sealed record Attempt(GenerationResult? Result, IReadOnlyList<(string Code, string Message)> Errors, Exception? Crash);

/// <summary>
/// Runs one cell (a channel and a value) through the Core generator in a fresh fixture repository and judges it
/// against two generations of the same channel: without the parameter (the baseline) and with its ordinary value
/// (the reference, whose differing instructions mark where a value belongs).
/// </summary>
internal static class GenerationHarness
{
    private static readonly Dictionary<string, (Attempt Baseline, Attempt Reference)> References = new();
    private static (string Channel, RepoFixture Repo)? _shared;

    public static Observation Run(Channel channel, HostileValue value)
    {
        var (baseline, reference) = ReferencesOf(channel);
        return Judge(channel, value.Text, Generate(channel, value.Text), baseline, reference);
    }

    /// <summary>The channel's generations without the parameter and with its ordinary value.</summary>
    public static (Attempt Baseline, Attempt Reference) ReferencesOf(Channel channel)
    {
        if (!References.TryGetValue(channel.Name, out var references))
        {
            references = (Generate(channel, null), Generate(channel, channel.Benign));
            Assert.IsNotNull(references.Baseline.Result, $"{channel}: the fixture generates without the parameter: {Describe(references.Baseline)}");
            Assert.IsNotNull(references.Reference.Result, $"{channel}: the ordinary value '{channel.Benign}' generates: {Describe(references.Reference)}");
            References[channel.Name] = references;
        }

        return references;
    }

    /// <summary>Generates in a fixture of the channel's own (a fresh one for each path, which may write anywhere in it).</summary>
    private static Attempt Generate(Channel channel, string? value)
    {
        if (channel.IsPath)
        {
            using var fresh = new RepoFixture();
            return Generate(fresh, channel, value);
        }

        if (_shared?.Channel != channel.Name)
        {
            _shared?.Repo.Dispose();
            _shared = (channel.Name, new RepoFixture());
        }

        return Generate(_shared.Value.Repo, channel, value);
    }

    private static Attempt Generate(RepoFixture repo, Channel channel, string? value)
    {
        var input = new GenerationInput(repo.Project(), repo.Settings());
        var previous = Environment.CurrentDirectory;
        var log = new TestLog();
        try
        {
            // Relative paths resolve in the project's folder; absolute ones are moved under the fixture.
            Environment.CurrentDirectory = repo.P("src/App");
            if (value is not null)
            {
                input = channel.Set!(input, channel.IsPath && value.StartsWith('/') ? Path.Combine(repo.Outer, "absolute", value.TrimStart('/')) : value);
            }

            var result = Generator.Generate(input.Project, input.Settings, repo.ExternalRoots, checkOnly: false, log);
            return new Attempt(result, log.Errors, null);
        }
        catch (Exception e) when (e is not UnitTestAssertException)
        {
            return new Attempt(null, log.Errors, e);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    public static Observation Judge(Channel channel, string value, Attempt attempt, Attempt baseline, Attempt reference)
    {
        if (attempt.Crash is { } crash)
        {
            return new Observation(Verdict.Crashed, $"{crash.GetType().Name}: {crash.Message.Split('\n')[0]}");
        }

        if (attempt.Result is not { } result)
        {
            var codes = string.Join(",", attempt.Errors.Select(e => e.Code));
            return attempt.Errors.Count > 0 && attempt.Errors.All(e => e.Code.StartsWith("MSTAGE", StringComparison.Ordinal))
                ? new Observation(Verdict.Refused, codes)
                : new Observation(Verdict.Uncoded, "refused with '" + codes + "'");
        }

        IReadOnlyList<ReadInstruction> read;
        try
        {
            read = DockerfileReader.Read(result.DockerfileText);
        }
        catch (FormatException e)
        {
            return new Observation(Verdict.Corrupted, e.Message);
        }

        if (read.FirstOrDefault(i => i.Keyword is "ENTRYPOINT" or "CMD" or "COPY" && i.Json() is null) is { } broken)
        {
            return new Observation(Verdict.Corrupted, "not an exec-form array: " + Short(broken.ToString()));
        }

        var unchanged = result.DockerfileText == baseline.Result!.DockerfileText && result.DockerIgnoreText == baseline.Result.DockerIgnoreText;
        if (unchanged && channel.Carries?.Invoke(new Generated(result, read), value) != true)
        {
            return new Observation(Verdict.Unset, "the output without the parameter");
        }

        var expected = DockerfileReader.Read(reference.Result!.DockerfileText);
        var keywords = string.Join(" ", read.Select(i => i.Keyword));
        if (keywords != string.Join(" ", expected.Select(i => i.Keyword)))
        {
            return new Observation(Verdict.Injected, "instructions: " + Short(keywords));
        }

        if (channel.Carries is null)
        {
            return new Observation(Verdict.Contained, "a well-formed Dockerfile");
        }

        try
        {
            // Only the instructions that hold the ordinary value may differ, and only in that value: anything else
            // changed, or a value that split its instruction into more words or elements, is an injection.
            var changed = read.Zip(expected).FirstOrDefault(p => p.First != p.Second
                && (!p.Second.Arguments.Contains(channel.Benign, StringComparison.Ordinal) || Shape(p.First) != Shape(p.Second)));
            if (changed.First is not null)
            {
                return new Observation(Verdict.Injected, "changed: " + Short(changed.First.ToString()));
            }

            return channel.Carries(new Generated(result, read), value)
                ? new Observation(Verdict.Exact, "exact")
                : new Observation(Verdict.Changed, "not carried exactly");
        }
        catch (FormatException e)
        {
            return new Observation(Verdict.Corrupted, e.Message);
        }
    }

    /// <summary>How many elements an exec-form array, or how many words a word-form instruction, has.</summary>
    private static int? Shape(ReadInstruction instruction) => instruction.Keyword switch
    {
        "ENTRYPOINT" or "CMD" or "COPY" => instruction.Json()?.Count,
        "ENV" or "LABEL" or "USER" or "WORKDIR" or "EXPOSE" => instruction.Words()?.Count,
        "RUN" => DockerfileReader.ShellWords(instruction.Arguments).Count,
        _ => null,
    };

    private static string Describe(Attempt attempt) =>
        attempt.Crash?.ToString() ?? string.Join("; ", attempt.Errors.Select(e => e.Code + " " + e.Message));

    private static string Short(string text) => text.Length > 160 ? text[..160] + "…" : text;
}
