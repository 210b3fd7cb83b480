namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// File modes as fsutil sends them: Go's <c>os.FileMode</c>, whose type and special bits differ from Unix's. BuildKit
/// compares the mode of each file with that of its copy from the previous build, so it must be exactly what Go
/// reports for the same file, or every file would look changed.
/// </summary>
internal static class GoFileMode
{
    public const uint Directory = 1u << 31;
    public const uint Symlink = 1u << 27;
    public const uint SetUid = 1u << 23;
    public const uint SetGid = 1u << 22;
    public const uint Sticky = 1u << 20;

    /// <summary>Any type bit: a mode without one is a regular file, the only kind whose data is transferred.</summary>
    public const uint TypeMask = Directory | Symlink | (1u << 26) | (1u << 25) | (1u << 24) | (1u << 21) | (1u << 19);

    public static uint From(UnixFileMode mode, bool directory, bool symlink)
    {
        var unix = (uint)mode;
        var go = unix & 0x1FF;
        if ((unix & 0x800) != 0)
        {
            go |= SetUid;
        }

        if ((unix & 0x400) != 0)
        {
            go |= SetGid;
        }

        if ((unix & 0x200) != 0)
        {
            go |= Sticky;
        }

        return go | (directory ? Directory : 0) | (symlink ? Symlink : 0);
    }

    public static bool IsRegular(uint mode) => (mode & TypeMask) == 0;
}
