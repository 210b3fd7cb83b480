using System.Net.Http.Headers;
using System.Text.Json;

namespace MultiStage.Bench;

/// <summary>
/// The run's snapshot of the base images, and the removal of whatever a run leaves in the engine and the registry.
/// </summary>
internal sealed class BaseImages(BenchRun run)
{
    private Options Options => run.Options;

    private Docker Docker => run.Docker;

    /// <summary>
    /// Tags every 127.0.0.1:5000/dotnet/* image under a prefix of its own and pushes it there (layers are mounted, not
    /// copied), all while holding the test environment's lock: the variants then use one set of base images for the
    /// whole run even if the test environment rebuilds its images meanwhile.
    /// </summary>
    public void Pin()
    {
        run.BasePrefix = Options.Registry + "/msbench-base";
        var refs = new List<string>();
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            foreach (var repo in new[] { "sdk", "runtime", "aspnet", "runtime-deps" })
            {
                using var doc = JsonDocument.Parse(http.GetStringAsync($"http://{Options.Registry}/v2/dotnet/{repo}/tags/list").GetAwaiter().GetResult());
                if (doc.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
                {
                    refs.AddRange(tags.EnumerateArray().Select(t => $"{Options.Registry}/dotnet/{repo}:{t.GetString()}"));
                }
            }
        }

        refs = refs.Where(r => Docker.Inspect(r) is not null).ToList();
        if (refs.Count == 0)
        {
            throw new BenchException($"no {Options.Registry}/dotnet/* image is present: run eng/testenv/up.sh first");
        }

        var script = string.Join('\n', refs.Select(r => $"{Docker.Cli} tag {r} {Pinned(r)} && {Docker.Cli} image inspect --format '{{{{.Id}}}}' {Pinned(r)}"));
        const string lockFile = "/run/multistage-testenv/up.lock";
        var ids = File.Exists(lockFile)
            ? Proc.Text("flock", Docker.LogPath, "-w", "3600", lockFile, "bash", "-ec", script)
            : Proc.Text("bash", Docker.LogPath, "-ec", script);
        var idList = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("sha256:", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < refs.Count; i++)
        {
            run.Info.Pinned.Add(new PinnedImage { Original = refs[i], Pinned = Pinned(refs[i]), Id = idList[i] });
        }

        foreach (var p in run.Info.Pinned)
        {
            Docker.Text("push", p.Pinned);
        }

        BenchRun.Say($"pinned {run.Info.Pinned.Count} base images under {run.BasePrefix}/dotnet/");
    }

    private string Pinned(string original) => run.BasePrefix + original[Options.Registry.Length..];

    /// <summary>Notes the originals the test environment replaced during the run (the snapshot kept every build on one set).</summary>
    public void CheckPinned()
    {
        foreach (var p in run.Info.Pinned)
        {
            p.IdAtEnd = Docker.Inspect(p.Original)?.Id;
        }

        var moved = run.Info.Pinned.Where(p => p.IdAtEnd != p.Id).Select(p => p.Original).ToList();
        if (moved.Count > 0)
        {
            run.Info.Notes.Add($"The test environment replaced {string.Join(", ", moved)} during the run; every build here used the snapshot taken at the start (IDs below).");
        }
    }

    public void UnpinAll() => Unpin(run.Info.Pinned.Select(p => p.Pinned));

    /// <summary>
    /// A run that was killed outright (SIGKILL) leaves its images and base image names behind; the next run removes them.
    /// The run lock is held here, so no other benchmark is using them.
    /// </summary>
    public void SweepLeftovers()
    {
        var containers = Proc.Run(Docker.Cli, ["ps", "-a", "--format", "{{.Names}}"], run.Work, Docker.LogPath);
        foreach (var name in containers.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(n => n.StartsWith("msbench-", StringComparison.Ordinal)))
        {
            Docker.TryRun("rm", "-f", name);
        }

        var images = Proc.Run(Docker.Cli, ["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], run.Work, Docker.LogPath).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' '))
            .Where(p => p.Length == 2)
            .ToList();
        var pinnedPrefix = Options.Registry + "/msbench-base/";
        // Pinned base images, and the fresh-runner mode's previous images, live in the registry too.
        var stale = images.Where(p => p[0].StartsWith(pinnedPrefix, StringComparison.Ordinal) || p[0].StartsWith(Options.Registry + "/msbench/", StringComparison.Ordinal)).Select(p => p[0]).ToList();
        var leftovers = images.Where(p => p[0].StartsWith("msbench/", StringComparison.Ordinal)).ToList();
        if (stale.Count + leftovers.Count == 0)
        {
            return;
        }

        BenchRun.Say($"removing {leftovers.Count} image(s) and {stale.Count} base image name(s) left by an earlier run that was killed");
        foreach (var p in leftovers)
        {
            Docker.TryRun("image", "rm", p[0]);
            Docker.TryRun("image", "rm", p[1]);
        }

        Unpin(stale);
    }

    /// <summary>Removes images of the run from the registry and their local names.</summary>
    public void Unpin(IEnumerable<string> pinnedRefs)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var pinned in pinnedRefs)
        {
            // Drop the manifest from the registry (the blobs belong to the original repositories too), then the local names.
            var slash = pinned.IndexOf('/');
            var colon = pinned.LastIndexOf(':');
            var name = pinned[(slash + 1)..colon];
            var tag = pinned[(colon + 1)..];
            try
            {
                using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{Options.Registry}/v2/{name}/manifests/{tag}");
                head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
                head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
                using var response = http.Send(head);
                if (response.Headers.TryGetValues("Docker-Content-Digest", out var digests))
                {
                    using var delete = new HttpRequestMessage(HttpMethod.Delete, $"http://{Options.Registry}/v2/{name}/manifests/{digests.First()}");
                    http.Send(delete);
                }
            }
            catch (HttpRequestException)
            {
            }

            var image = Docker.Inspect(pinned);
            Docker.TryRun("image", "rm", pinned);
            if (image is not null)
            {
                var result = Proc.Run(Docker.Cli, ["image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", image.Id], run.Work, Docker.LogPath);
                foreach (var digestRef in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(d => d.StartsWith(Options.Registry + "/msbench-base/", StringComparison.Ordinal)))
                {
                    Docker.TryRun("image", "rm", digestRef);
                }
            }
        }
    }
}
