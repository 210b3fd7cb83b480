using System.Text;
using Google.Protobuf;
using MultiStage.Engine.BuildKit.Protocol;

namespace MultiStage.Engine.BuildKit;

/// <summary>
/// Turns the BuildKit status messages of one build into ordered, de-duplicated <see cref="BuildStepEvent"/>s.
/// BuildKit re-sends a vertex whenever any field changes and splits output at arbitrary byte boundaries; this class
/// reports each start, cache hit, completion and failure once, and log output as whole lines.
/// Not thread-safe: feed the messages of one build in arrival order.
/// </summary>
/// <remarks>
/// Within one message the order is: starts and cache hits, finished sub-tasks, log lines, warnings, then completions
/// and failures (a step's pending partial log line is flushed before its completion or failure).
/// </remarks>
public sealed class BuildKitProgress
{
    /// <summary>The <c>id</c> of Engine API build messages whose <c>aux</c> is a base64 <see cref="StatusResponse"/>.</summary>
    public const string TraceMessageId = "moby.buildkit.trace";

    private readonly Dictionary<string, VertexState> _vertices = new(StringComparer.Ordinal);
    private readonly List<VertexState> _order = new();

    /// <summary>Steps in order of first appearance, with what is known of them so far.</summary>
    public IReadOnlyList<BuildStepSummary> Steps =>
        _order.Select(v => new BuildStepSummary(v.Step, v.Digest, v.Name, v.Cached, v.Duration, v.Error)).ToArray();

    /// <summary>Decodes the <c>aux</c> string of a <see cref="TraceMessageId"/> message.</summary>
    /// <exception cref="FormatException">The text is not base64 or not a status message.</exception>
    public static StatusResponse DecodeTrace(string base64Aux)
    {
        ArgumentNullException.ThrowIfNull(base64Aux);
        try
        {
            return StatusResponse.Parser.ParseFrom(Convert.FromBase64String(base64Aux));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException("The BuildKit trace message is not a valid status response.", e);
        }
    }

    /// <summary>Decodes and applies the <c>aux</c> string of a <see cref="TraceMessageId"/> message.</summary>
    public IReadOnlyList<BuildStepEvent> ApplyTrace(string base64Aux) => Apply(DecodeTrace(base64Aux));

    /// <summary>Applies one status message and returns the events it produced, possibly none.</summary>
    public IReadOnlyList<BuildStepEvent> Apply(StatusResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var events = new List<BuildStepEvent>();

        foreach (Vertex vertex in response.Vertexes)
        {
            VertexState state = GetState(vertex.Digest);
            if (vertex.Name.Length > 0)
            {
                state.Name = vertex.Name;
            }

            if (vertex.Started is not null)
            {
                state.StartedAt ??= vertex.Started.ToDateTimeOffset();
            }

            bool finished = vertex.Completed is not null || vertex.Error.Length > 0;
            if (!state.StartReported && (vertex.Started is not null || vertex.Cached || finished))
            {
                state.StartReported = true;
                events.Add(new BuildStepStarted(state.Step, state.Digest, state.Name));
            }

            if (vertex.Cached && !state.Cached)
            {
                state.Cached = true;
                events.Add(new BuildStepCached(state.Step, state.Digest, state.Name));
            }
        }

        foreach (VertexStatus status in response.Statuses)
        {
            VertexState state = GetState(status.Vertex);
            if (status.Completed is not null && state.FinishedStatuses.Add(status.Id))
            {
                events.Add(new BuildStepStatus(state.Step, state.Digest, state.Name, status.Id, status.Current, status.Total));
            }
        }

        foreach (VertexLog log in response.Logs)
        {
            VertexState state = GetState(log.Vertex);
            state.AppendLog(log.Stream == 2 ? BuildLogStream.Stderr : BuildLogStream.Stdout, log.Msg, events);
        }

        foreach (VertexWarning warning in response.Warnings)
        {
            VertexState state = GetState(warning.Vertex);
            events.Add(new BuildStepWarning(
                state.Step,
                state.Digest,
                state.Name,
                (int)warning.Level,
                warning.Short.ToStringUtf8(),
                warning.Detail.Select(d => d.ToStringUtf8()).ToArray(),
                warning.Url.Length > 0 ? warning.Url : null));
        }

        foreach (Vertex vertex in response.Vertexes)
        {
            VertexState state = _vertices[vertex.Digest];
            if (state.Finished)
            {
                continue;
            }

            if (vertex.Error.Length > 0)
            {
                state.Finished = true;
                state.Error = vertex.Error;
                state.FlushLogs(events);
                bool canceled = vertex.Error.EndsWith("context canceled", StringComparison.Ordinal);
                events.Add(new BuildStepFailed(state.Step, state.Digest, state.Name, vertex.Error, canceled));
            }
            else if (vertex.Completed is not null)
            {
                state.Finished = true;
                DateTimeOffset completed = vertex.Completed.ToDateTimeOffset();
                TimeSpan duration = state.StartedAt is { } started && completed > started ? completed - started : TimeSpan.Zero;
                state.Duration = duration;
                state.FlushLogs(events);
                if (!state.Cached)
                {
                    events.Add(new BuildStepCompleted(state.Step, state.Digest, state.Name, duration));
                }
            }
        }

        return events;
    }

    /// <summary>At the end of the stream: returns the partial last lines of output still buffered.</summary>
    public IReadOnlyList<BuildStepEvent> Flush()
    {
        var events = new List<BuildStepEvent>();
        foreach (VertexState state in _order)
        {
            state.FlushLogs(events);
        }

        return events;
    }

    private VertexState GetState(string digest)
    {
        if (!_vertices.TryGetValue(digest, out VertexState? state))
        {
            state = new VertexState(_order.Count + 1, digest);
            _vertices.Add(digest, state);
            _order.Add(state);
        }

        return state;
    }

    private sealed class VertexState
    {
        // Per stream: bytes after the last line break, kept as bytes so that a UTF-8 sequence may span messages.
        private readonly Dictionary<BuildLogStream, List<byte>> _partial = new();

        public VertexState(int step, string digest)
        {
            Step = step;
            Digest = digest;
        }

        public int Step { get; }

        public string Digest { get; }

        public string Name { get; set; } = string.Empty;

        public DateTimeOffset? StartedAt { get; set; }

        public bool StartReported { get; set; }

        public bool Cached { get; set; }

        public bool Finished { get; set; }

        public TimeSpan? Duration { get; set; }

        public string? Error { get; set; }

        public HashSet<string> FinishedStatuses { get; } = new(StringComparer.Ordinal);

        public void AppendLog(BuildLogStream stream, ByteString message, List<BuildStepEvent> events)
        {
            ReadOnlySpan<byte> data = message.Span;
            if (!_partial.TryGetValue(stream, out List<byte>? pending))
            {
                pending = new List<byte>();
                _partial.Add(stream, pending);
            }

            while (true)
            {
                int newline = data.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    pending.AddRange(data.ToArray());
                    return;
                }

                pending.AddRange(data.Slice(0, newline).ToArray());
                events.Add(new BuildStepLog(Step, Digest, Name, stream, TakeLine(pending)));
                data = data.Slice(newline + 1);
            }
        }

        public void FlushLogs(List<BuildStepEvent> events)
        {
            foreach (BuildLogStream stream in new[] { BuildLogStream.Stdout, BuildLogStream.Stderr })
            {
                if (_partial.TryGetValue(stream, out List<byte>? pending) && pending.Count > 0)
                {
                    events.Add(new BuildStepLog(Step, Digest, Name, stream, TakeLine(pending)));
                }
            }
        }

        private static string TakeLine(List<byte> pending)
        {
            int length = pending.Count;
            if (length > 0 && pending[length - 1] == (byte)'\r')
            {
                length--;
            }

            string line = Encoding.UTF8.GetString(pending.GetRange(0, length).ToArray());
            pending.Clear();
            return line;
        }
    }
}
