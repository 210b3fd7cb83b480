namespace MultiStage.Generation;

/// <summary>What a generation tells the image build, the same whether it planned now or its stamp held.</summary>
public sealed record GenerationOutputs
{
    public required string Dockerfile { get; init; }
    public required string ContextRoot { get; init; }
    /// <summary>The classic builder's rendering, for an engine without BuildKit; empty when none was written.</summary>
    public string ClassicDockerfile { get; init; } = "";
    public required string Repository { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required string RuntimeImage { get; init; }
    /// <summary>The images the Dockerfile builds FROM, for the engine client to pull with credentials first.</summary>
    public required IReadOnlyList<string> BaseImages { get; init; }
    /// <summary>Inner loop: the image holding the runtime and package layers, and its Dockerfile; empty when there is none.</summary>
    public string DependencyImage { get; init; } = "";
    public string DependencyDockerfile { get; init; } = "";

    public static GenerationOutputs From(GenerationResult result) => new()
    {
        Dockerfile = result.DockerfilePath,
        ContextRoot = result.ContextRoot,
        ClassicDockerfile = result.ClassicDockerfilePath ?? "",
        Repository = result.Repository,
        Tags = result.Tags,
        RuntimeImage = result.Images.RuntimeImage,
        BaseImages = result.BaseImages,
        DependencyImage = result.DependencyImage ?? "",
        DependencyDockerfile = result.DependencyDockerfilePath ?? "",
    };

    /// <summary>Name/value pairs to store with a stamp (a list repeats its name); the inner loop, never stamped, has no dependency image here.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToPairs() =>
        new[]
        {
            Pair(nameof(Dockerfile), Dockerfile),
            Pair(nameof(ContextRoot), ContextRoot),
            Pair(nameof(ClassicDockerfile), ClassicDockerfile),
            Pair(nameof(Repository), Repository),
            Pair(nameof(RuntimeImage), RuntimeImage),
        }
        .Concat(Tags.Select(t => Pair(nameof(Tags), t)))
        .Concat(BaseImages.Select(i => Pair(nameof(BaseImages), i)));

    public static GenerationOutputs FromPairs(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        string One(string name) => pairs.FirstOrDefault(p => p.Key == name).Value ?? "";
        IReadOnlyList<string> All(string name) => pairs.Where(p => p.Key == name).Select(p => p.Value).ToList();
        return new GenerationOutputs
        {
            Dockerfile = One(nameof(Dockerfile)),
            ContextRoot = One(nameof(ContextRoot)),
            ClassicDockerfile = One(nameof(ClassicDockerfile)),
            Repository = One(nameof(Repository)),
            RuntimeImage = One(nameof(RuntimeImage)),
            Tags = All(nameof(Tags)),
            BaseImages = All(nameof(BaseImages)),
        };
    }

    private static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
}
