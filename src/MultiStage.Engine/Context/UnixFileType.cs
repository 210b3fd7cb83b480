using System.Runtime.InteropServices;

namespace MultiStage.Engine.Context;

/// <summary>File types the context walk distinguishes.</summary>
internal enum FileKind
{
    Regular,
    Directory,
    Symlink,

    /// <summary>FIFOs, sockets, character and block devices: never sent (opening a FIFO would block the walk).</summary>
    Special,
}

/// <summary>
/// Reads the file type bits that .NET does not expose, through <c>statx(2)</c> looked up in the running process
/// (glibc and recent musl export it; its buffer layout is the same on every architecture).
/// Where it is unavailable the caller falls back to what <see cref="FileSystemInfo"/> tells.
/// </summary>
internal static class UnixFileType
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int StatxFunction(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    private static readonly StatxFunction? Statx = Resolve();

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>The type of <paramref name="path"/> without following a final symlink; null when statx is unavailable or fails.</summary>
    public static FileKind? TryGetKind(string path)
    {
        if (Statx is null)
        {
            return null;
        }

        byte[] buffer = t_buffer ??= new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            return null;
        }

        int mode = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            _ => FileKind.Special,
        };
    }

    private static StatxFunction? Resolve()
    {
        if (!OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian)
        {
            return null;
        }

        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "statx", out IntPtr address)
                ? Marshal.GetDelegateForFunctionPointer<StatxFunction>(address)
                : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or NotSupportedException)
        {
            return null;
        }
    }
}
