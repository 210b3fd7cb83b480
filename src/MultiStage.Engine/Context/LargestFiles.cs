namespace MultiStage.Engine.Context;

/// <summary>One file of the build context and its size.</summary>
/// <param name="Path">Slash-separated path relative to the context root.</param>
/// <param name="Size">Bytes.</param>
public sealed record ContextFileSize(string Path, long Size);

/// <summary>
/// Keeps the largest files seen so far, largest first; of equal sizes the one first in path order, so the list does
/// not depend on the order files are seen in.
/// </summary>
internal sealed class LargestFiles
{
    private readonly int _capacity;
    private readonly List<ContextFileSize> _files = new();

    public LargestFiles(int capacity) => _capacity = capacity;

    public void Add(string path, long size)
    {
        var file = new ContextFileSize(path, size);
        var index = _files.FindIndex(f => Compare(file, f) < 0);
        if (index < 0)
        {
            if (_files.Count < _capacity)
            {
                _files.Add(file);
            }

            return;
        }

        _files.Insert(index, file);
        if (_files.Count > _capacity)
        {
            _files.RemoveAt(_files.Count - 1);
        }
    }

    public IReadOnlyList<ContextFileSize> ToList() => _files.ToArray();

    private static int Compare(ContextFileSize a, ContextFileSize b) =>
        a.Size != b.Size ? b.Size.CompareTo(a.Size) : string.CompareOrdinal(a.Path, b.Path);
}
