namespace MultiStage.Engine.Context;

/// <summary>An in-memory file added to the context archive, such as a Dockerfile generated outside the context directory.</summary>
/// <param name="Name">Slash-separated relative path inside the archive, e.g. <see cref="BuildContext.GeneratedDockerfileName"/>.</param>
/// <param name="Content">The file content.</param>
public sealed record BuildContextFile(string Name, ReadOnlyMemory<byte> Content)
{
    /// <summary>rw-r--r--.</summary>
    public const UnixFileMode DefaultMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Permission bits of the entry; 0644 unless set.</summary>
    public UnixFileMode Mode { get; init; } = DefaultMode;

    /// <summary>Modification time of the entry; the Unix epoch unless set, so the archive bytes stay reproducible.</summary>
    public DateTimeOffset ModificationTime { get; init; } = DateTimeOffset.UnixEpoch;
}
