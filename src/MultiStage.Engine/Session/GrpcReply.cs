using Google.Protobuf;
using MultiStage.Engine.Session.Http2;

namespace MultiStage.Engine.Session;

/// <summary>Handles one unary gRPC call: the request message's bytes in, the reply out.</summary>
internal delegate Task<GrpcReply> GrpcMethod(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

/// <summary>
/// Serves one gRPC call of any kind: reads its requests and sends its responses on <paramref name="call"/>, and
/// returns the status that ends it (<see cref="GrpcReply.Message"/> is not used).
/// </summary>
internal delegate Task<GrpcReply> GrpcHandler(GrpcServerCall call, CancellationToken cancellationToken);

/// <summary>gRPC status codes this side answers with (grpc/doc/statuscodes.md).</summary>
internal enum GrpcStatus
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    NotFound = 5,
    Unimplemented = 12,
    Internal = 13,
}

/// <summary>The answer to a unary gRPC call: a message on success, else a status and its text.</summary>
internal sealed record GrpcReply(byte[]? Message, GrpcStatus Status, string? StatusMessage)
{
    public static GrpcReply Ok(IMessage message) => new(message.ToByteArray(), GrpcStatus.Ok, null);

    /// <summary>The end of a streaming call that went well.</summary>
    public static GrpcReply Done { get; } = new(null, GrpcStatus.Ok, null);

    public static GrpcReply Error(GrpcStatus status, string message) => new(null, status, message);

    /// <summary>A unary method as a call handler: one request message in, one reply message out.</summary>
    public static GrpcHandler Unary(GrpcMethod method) => async (call, cancellationToken) =>
    {
        byte[]? request;
        try
        {
            request = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            if (request is null || await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return Error(GrpcStatus.InvalidArgument, "the request is not one uncompressed message");
            }
        }
        catch (GrpcCallException)
        {
            return Error(GrpcStatus.InvalidArgument, "the request is not one uncompressed message");
        }

        var reply = await method(request, cancellationToken).ConfigureAwait(false);
        if (reply.Message is not null)
        {
            await call.SendMessageAsync(reply.Message, cancellationToken).ConfigureAwait(false);
        }

        return reply;
    };
}
