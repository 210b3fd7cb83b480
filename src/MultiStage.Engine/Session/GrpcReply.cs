using Google.Protobuf;

namespace MultiStage.Engine.Session;

/// <summary>Handles one unary gRPC call: the request message's bytes in, the reply out.</summary>
internal delegate Task<GrpcReply> GrpcMethod(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

/// <summary>gRPC status codes this side answers with (grpc/doc/statuscodes.md).</summary>
internal enum GrpcStatus
{
    Ok = 0,
    InvalidArgument = 3,
    NotFound = 5,
    Unimplemented = 12,
    Internal = 13,
}

/// <summary>The answer to a unary gRPC call: a message on success, else a status and its text.</summary>
internal sealed record GrpcReply(byte[]? Message, GrpcStatus Status, string? StatusMessage)
{
    public static GrpcReply Ok(IMessage message) => new(message.ToByteArray(), GrpcStatus.Ok, null);

    public static GrpcReply Error(GrpcStatus status, string message) => new(null, status, message);
}
