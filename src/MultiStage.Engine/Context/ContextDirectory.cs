namespace MultiStage.Engine.Context;

/// <summary>Lists a folder of the build context: every entry (dot files are "hidden" on Unix but belong to it), in the order given.</summary>
internal static class ContextDirectory
{
    private static readonly EnumerationOptions ListOptions = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <exception cref="ContextFileException">The folder cannot be listed; names it by <paramref name="relativeDirectory"/>.</exception>
    public static FileSystemInfo[] List(DirectoryInfo directory, string relativeDirectory, IComparer<string> order)
    {
        FileSystemInfo[] children;
        try
        {
            children = directory.EnumerateFileSystemInfos("*", ListOptions).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContextFileException(directory.FullName, relativeDirectory.Length == 0 ? "." : relativeDirectory, e);
        }

        Array.Sort(children, (a, b) => order.Compare(a.Name, b.Name));
        return children;
    }
}
