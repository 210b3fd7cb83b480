using System.Text;

namespace MultiStage.Engine.Session.Hpack;

/// <summary>
/// Encodes header blocks as literals without indexing and without Huffman coding (RFC 7541 6.2.2): valid for
/// any decoder, leaves the peer's dynamic table alone, and our few response headers are small.
/// </summary>
internal static class HpackEncoder
{
    public static byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var output = new List<byte>();
        foreach (var (name, value) in fields)
        {
            output.Add(0x00);
            WriteString(output, name);
            WriteString(output, value);
        }

        return output.ToArray();
    }

    private static void WriteString(List<byte> output, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        WriteInteger(output, bytes.Length, 7, 0x00);
        output.AddRange(bytes);
    }

    /// <summary>Writes an integer with an N-bit prefix (5.1); <paramref name="flags"/> fill the bits above it.</summary>
    internal static void WriteInteger(List<byte> output, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Add((byte)(flags | value));
            return;
        }

        output.Add((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
