namespace MultiStage.Engine.Session.Http2;

/// <summary>HTTP/2 error codes (RFC 7540 section 7) that this side sends.</summary>
internal enum Http2ErrorCode
{
    NoError = 0x0,
    ProtocolError = 0x1,
    FlowControlError = 0x3,
    FrameSizeError = 0x6,
    CompressionError = 0x9,
}

/// <summary>A connection error: the connection is ended with GOAWAY carrying <see cref="Code"/>.</summary>
internal sealed class Http2Exception(Http2ErrorCode code, string message) : Exception(message)
{
    public Http2ErrorCode Code { get; } = code;
}
