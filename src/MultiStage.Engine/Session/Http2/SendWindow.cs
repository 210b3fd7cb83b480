namespace MultiStage.Engine.Session.Http2;

/// <summary>
/// HTTP/2 flow control on the sending side (RFC 7540 section 6.9): how many DATA bytes the peer accepts on the
/// connection and on each stream. Senders wait here until the peer's WINDOW_UPDATE or SETTINGS makes room.
/// </summary>
internal sealed class SendWindow
{
    // 6.9.2: every window starts at 65,535 until SETTINGS_INITIAL_WINDOW_SIZE changes the streams' windows.
    private const int InitialSize = 65535;

    private readonly object _gate = new();
    private readonly Dictionary<int, long> _streams = new();
    private long _connection = InitialSize;
    private long _initialStream = InitialSize;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenStream(int streamId)
    {
        lock (_gate)
        {
            _streams[streamId] = _initialStream;
        }
    }

    public void CloseStream(int streamId)
    {
        lock (_gate)
        {
            _streams.Remove(streamId);
        }

        Signal();
    }

    /// <summary>A WINDOW_UPDATE: stream 0 is the connection.</summary>
    public void Grow(int streamId, int increment)
    {
        lock (_gate)
        {
            if (streamId == 0)
            {
                _connection += increment;
            }
            else if (_streams.TryGetValue(streamId, out var window))
            {
                _streams[streamId] = window + increment;
            }
        }

        Signal();
    }

    /// <summary>A new SETTINGS_INITIAL_WINDOW_SIZE: open streams' windows move by the difference (6.9.2).</summary>
    public void SetInitialStreamSize(int size)
    {
        lock (_gate)
        {
            var delta = size - _initialStream;
            _initialStream = size;
            foreach (var id in _streams.Keys.ToList())
            {
                _streams[id] += delta;
            }
        }

        Signal();
    }

    /// <summary>Takes up to <paramref name="wanted"/> bytes of window for <paramref name="streamId"/>, waiting for at least one.</summary>
    /// <returns>The bytes granted; 0 when the stream was closed meanwhile.</returns>
    public async Task<int> TakeAsync(int streamId, int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (!_streams.TryGetValue(streamId, out var stream))
                {
                    return 0;
                }

                var granted = (int)Math.Min(wanted, Math.Min(stream, _connection));
                if (granted > 0)
                {
                    _streams[streamId] = stream - granted;
                    _connection -= granted;
                    return granted;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
