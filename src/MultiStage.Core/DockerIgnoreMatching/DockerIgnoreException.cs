namespace MultiStage.DockerIgnoreMatching;

/// <summary>A .dockerignore pattern that the docker CLI would also refuse.</summary>
public sealed class DockerIgnoreException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DockerIgnoreException(string message, int lineNumber, string pattern)
        : base(lineNumber > 0 ? $"{DockerIgnore.FileName} line {lineNumber}: {message}" : message)
    {
        LineNumber = lineNumber;
        Pattern = pattern;
    }

    /// <summary>1-based line of the pattern in the file; 0 for patterns added by code.</summary>
    public int LineNumber { get; }

    /// <summary>The offending pattern after normalization.</summary>
    public string Pattern { get; }
}
