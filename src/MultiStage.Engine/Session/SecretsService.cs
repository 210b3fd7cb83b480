using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Session;

/// <summary>
/// BuildKit's secrets service (moby/buildkit session/secrets/secrets.proto): hands the engine the bytes of a
/// secret when a <c>RUN --mount=type=secret</c> step runs. The bytes go to the step's tmpfs mount, never into a layer.
/// </summary>
internal sealed class SecretsService(IReadOnlyDictionary<string, byte[]> secrets)
{
    public const string GetSecretMethod = "/moby.buildkit.secrets.v1.Secrets/GetSecret";

    public Task<GrpcReply> GetSecretAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var id = GetSecretRequest.Parser.ParseFrom(request.Span).ID;

        // NotFound is what BuildKit's own secrets provider answers for an unknown id: the builder then skips a
        // mount with required=false and fails one with required=true.
        return Task.FromResult(secrets.TryGetValue(id, out var data)
            ? GrpcReply.Ok(new GetSecretResponse { Data = Google.Protobuf.ByteString.CopyFrom(data) })
            : GrpcReply.Error(GrpcStatus.NotFound, $"secret {id} not found"));
    }
}
