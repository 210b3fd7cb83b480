namespace MultiStage.Model;

/// <summary>Which builder of the engine runs the Dockerfile.</summary>
public enum BuilderKind
{
    /// <summary>
    /// Not chosen: the engine client asks the engine (BuildKit when it has it; DOCKER_BUILDKIT=0/1 decides when set,
    /// as for the docker CLI). Never a resolved setting: the generator writes for BuildKit then.
    /// </summary>
    Auto,

    /// <summary>BuildKit (Engine API build version 2): cross-platform build stage, cache mounts.</summary>
    BuildKit,

    /// <summary>The classic builder (Engine API build version 1): the subset the legacy builder parses.</summary>
    Classic,

    /// <summary>
    /// Buildah, the builder of a Podman engine. Never a setting: the engine client reports it when Podman runs the
    /// build. It takes the BuildKit rendering (cache mounts, <c>--platform=$BUILDPLATFORM</c>), not BuildKit sessions.
    /// </summary>
    Buildah,
}
