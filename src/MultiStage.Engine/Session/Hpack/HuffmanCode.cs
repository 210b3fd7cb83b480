namespace MultiStage.Engine.Session.Hpack;

/// <summary>
/// Decodes the Huffman code of HPACK string literals (RFC 7541 section 5.2, code table in Appendix B).
/// The code is canonical: the bit length of each symbol fixes every code, so only the lengths are kept here.
/// </summary>
internal static class HuffmanCode
{
    // Bit length of symbols 0 to 256 (256 is EOS), one character each: 'A' is 5 bits, 'B' 6 bits, and so on.
    private const string Lengths =
        "ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHFIBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIXPRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRSVVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWVZ";

    private const int EndOfString = 256;

    /// <summary>(bit length, code) of every symbol.</summary>
    private static readonly Dictionary<(int Length, uint Code), int> Symbols = BuildCanonicalCode();

    /// <summary>The bit length of each symbol, for tests of the table.</summary>
    internal static int LengthOf(int symbol) => Lengths[symbol] - 'A' + 5;

    /// <summary>The code of <paramref name="symbol"/>, right-aligned in <see cref="LengthOf"/> bits.</summary>
    internal static uint CodeOf(int symbol) => Symbols.First(entry => entry.Value == symbol).Key.Code;

    /// <summary>Decodes <paramref name="encoded"/>; throws <see cref="HpackException"/> for an invalid string.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        var output = new List<byte>(encoded.Length * 8 / 5);
        uint code = 0;
        var length = 0;
        foreach (var b in encoded)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                if (Symbols.TryGetValue((length, code), out var symbol))
                {
                    if (symbol == EndOfString)
                    {
                        throw new HpackException("a Huffman string contains the end-of-string symbol");
                    }

                    output.Add((byte)symbol);
                    code = 0;
                    length = 0;
                }
                else if (length > 30)
                {
                    throw new HpackException("a Huffman string has an invalid code");
                }
            }
        }

        // The rest must be padding: fewer than 8 bits, all ones (the start of EOS).
        if (length > 7 || code != (1u << length) - 1)
        {
            throw new HpackException("a Huffman string has invalid padding");
        }

        return output.ToArray();
    }

    private static Dictionary<(int, uint), int> BuildCanonicalCode()
    {
        var bySymbol = Enumerable.Range(0, Lengths.Length).OrderBy(LengthOf).ThenBy(symbol => symbol);
        var symbols = new Dictionary<(int, uint), int>();
        uint code = 0;
        var previousLength = 0;
        foreach (var symbol in bySymbol)
        {
            var length = LengthOf(symbol);
            code <<= length - previousLength;
            symbols.Add((length, code), symbol);
            code++;
            previousLength = length;
        }

        return symbols;
    }
}
