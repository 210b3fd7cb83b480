using MultiStage.Engine.Client;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Logging;

namespace MultiStage.Engine.Session;

/// <summary>What a build's session serves to BuildKit.</summary>
/// <param name="Secrets">Secrets by id, for <c>RUN --mount=type=secret</c>; a build with any cannot go without a session.</param>
/// <param name="FileSync">The context and Dockerfile BuildKit pulls through the session; null when they go as an archive.</param>
/// <param name="Credentials">Where the credentials of base image registries come from; null to answer none.</param>
/// <param name="Log">Receives what the services report (never a secret).</param>
internal sealed record SessionServices(
    IReadOnlyDictionary<string, byte[]> Secrets,
    FileSyncOffer? FileSync,
    RegistryCredentialResolver? Credentials,
    ILog Log);
