using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Session;

/// <summary>
/// The gRPC health service (grpc/health/v1): BuildKit's session manager checks it while the session is open and
/// drops a session whose checks fail.
/// </summary>
internal static class HealthService
{
    public const string CheckMethod = "/grpc.health.v1.Health/Check";

    public static Task<GrpcReply> CheckAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken) =>
        Task.FromResult(GrpcReply.Ok(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving }));
}
