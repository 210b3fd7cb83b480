namespace MultiStage.Engine.Session.Hpack;

/// <summary>A header block that cannot be decoded: an HTTP/2 COMPRESSION_ERROR, which ends the connection.</summary>
internal sealed class HpackException(string message) : Exception(message);
