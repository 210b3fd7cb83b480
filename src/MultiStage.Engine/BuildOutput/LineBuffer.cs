using System.Text;

namespace MultiStage.Engine.BuildOutput;

/// <summary>Cuts a stream that arrives in pieces into lines, each handed on as its line break arrives.</summary>
internal sealed class LineBuffer(Action<string> onLine)
{
    private readonly StringBuilder _pending = new();

    /// <summary>Feeds a piece of the stream.</summary>
    public void Feed(string text)
    {
        _pending.Append(text);
        while (true)
        {
            var buffered = _pending.ToString();
            var newline = buffered.IndexOf('\n');
            if (newline < 0)
            {
                return;
            }

            _pending.Remove(0, newline + 1);
            onLine(buffered[..newline]);
        }
    }

    /// <summary>Hands on a last line that had no line break.</summary>
    public void Flush()
    {
        if (_pending.Length > 0)
        {
            var rest = _pending.ToString();
            _pending.Clear();
            onLine(rest);
        }
    }
}
