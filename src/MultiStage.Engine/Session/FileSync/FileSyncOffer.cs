namespace MultiStage.Engine.Session.FileSync;

/// <summary>The directories a build offers BuildKit through its session, and how the build request names them.</summary>
/// <param name="Directories">By the names BuildKit asks for (<see cref="FileSyncService.ContextDirectory"/>, <see cref="FileSyncService.DockerfileDirectory"/>).</param>
/// <param name="DockerfileName">The Dockerfile's name inside the "dockerfile" directory: the build request's <c>dockerfile</c>.</param>
/// <param name="SharedKey">
/// The session's shared key. BuildKit keeps the files it synced under it and compares the next build's with them, so
/// it names one context with one set of exclusions: two builds of different file sets under one key would each undo
/// the other's copy.
/// </param>
internal sealed record FileSyncOffer(IReadOnlyDictionary<string, FileSyncDirectory> Directories, string DockerfileName, string SharedKey);
