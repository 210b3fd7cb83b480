namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// The last lines of a step. Builders do not keep stdout and stderr in order (the classic builder sends a
/// command's stderr before its stdout), so the last stderr lines, usually the error itself, are kept even when
/// more stdout followed them.
/// </summary>
internal sealed class OutputTail
{
    /// <summary>How many output lines of a failing step the error shows.</summary>
    public const int KeptLines = 12;

    private const int KeptErrorLines = 5;
    private readonly Queue<(long Sequence, string Line)> _all = new();
    private readonly Queue<(long Sequence, string Line)> _errors = new();
    private long _sequence;

    public void Add(string line, bool isStderr)
    {
        var entry = (_sequence++, line);
        _all.Enqueue(entry);
        while (_all.Count > KeptLines)
        {
            _all.Dequeue();
        }

        if (isStderr)
        {
            _errors.Enqueue(entry);
            while (_errors.Count > KeptErrorLines)
            {
                _errors.Dequeue();
            }
        }
    }

    public void Clear()
    {
        _all.Clear();
        _errors.Clear();
    }

    public string[] Lines()
    {
        var first = _all.Count == 0 ? long.MaxValue : _all.Peek().Sequence;
        return _errors.Where(e => e.Sequence < first).Concat(_all).Select(e => e.Line).ToArray();
    }
}
