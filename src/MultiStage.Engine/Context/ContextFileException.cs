namespace MultiStage.Engine.Context;

/// <summary>A file or directory of the build context could not be read while the context archive was written.</summary>
public sealed class ContextFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ContextFileException(string fullPath, string relativePath, Exception innerException)
        : base($"Cannot read build context entry '{relativePath}' ({fullPath}): {innerException.Message}", innerException)
    {
        FullPath = fullPath;
        RelativePath = relativePath;
    }

    /// <summary>Absolute path of the entry.</summary>
    public string FullPath { get; }

    /// <summary>Slash-separated path of the entry relative to the context root.</summary>
    public string RelativePath { get; }
}
