using System.Text;

namespace MultiStage.Engine.Session.Hpack;

/// <summary>
/// Decodes HTTP/2 header blocks (RFC 7541). One decoder per connection: its dynamic table carries over from
/// block to block, in the order the peer sent them.
/// </summary>
internal sealed class HpackDecoder
{
    // SETTINGS_HEADER_TABLE_SIZE's default, which this side keeps.
    public const int MaxTableSize = 4096;

    private readonly LinkedList<(string Name, string Value)> _dynamic = new();
    private readonly int _maxTableSize;
    private int _tableSize;
    private int _capacity;

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE this side announced.</param>
    public HpackDecoder(int maxTableSize = MaxTableSize)
    {
        _maxTableSize = maxTableSize;
        _capacity = maxTableSize;
    }

    /// <summary>Decodes one complete header block into its fields, in order.</summary>
    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        var position = 0;
        while (position < block.Length)
        {
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                // Indexed header field (6.1).
                fields.Add(Entry(ReadInteger(block, ref position, 7)));
            }
            else if ((first & 0xC0) == 0x40)
            {
                // Literal with incremental indexing (6.2.1).
                var field = ReadLiteral(block, ref position, 6);
                fields.Add(field);
                Add(field);
            }
            else if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update (6.3).
                var size = ReadInteger(block, ref position, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackException($"a table size update to {size} exceeds {_maxTableSize}");
                }

                _capacity = size;
                Evict(0);
            }
            else
            {
                // Literal without indexing (6.2.2) or never indexed (6.2.3): both have a 4-bit prefix.
                fields.Add(ReadLiteral(block, ref position, 4));
            }
        }

        return fields;
    }

    /// <summary>Reads an integer with an N-bit prefix (5.1).</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var max = (1 << prefixBits) - 1;
        var value = block[position++] & max;
        if (value < max)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            if (position >= block.Length || shift > 21)
            {
                throw new HpackException("an integer is truncated or too large");
            }

            var b = block[position++];
            value += (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var index = ReadInteger(block, ref position, prefixBits);
        var name = index == 0 ? ReadString(block, ref position) : Entry(index).Name;
        return (name, ReadString(block, ref position));
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new HpackException("a string literal is missing");
        }

        var huffman = (block[position] & 0x80) != 0;
        var length = ReadInteger(block, ref position, 7);
        if (length > block.Length - position)
        {
            throw new HpackException("a string literal is truncated");
        }

        var raw = block.Slice(position, length);
        position += length;
        return Encoding.Latin1.GetString(huffman ? HuffmanCode.Decode(raw) : raw);
    }

    private (string Name, string Value) Entry(int index)
    {
        if (index >= 1 && index <= HpackStaticTable.Entries.Length)
        {
            return HpackStaticTable.Entries[index - 1];
        }

        var dynamicIndex = index - HpackStaticTable.Entries.Length - 1;
        if (index == 0 || dynamicIndex >= _dynamic.Count)
        {
            throw new HpackException($"header index {index} is not in the tables");
        }

        return _dynamic.ElementAt(dynamicIndex);
    }

    private void Add((string Name, string Value) field)
    {
        var size = EntrySize(field);
        Evict(size);
        if (size <= _capacity)
        {
            // Newest first: index 62 is the entry added last (2.3.3).
            _dynamic.AddFirst(field);
            _tableSize += size;
        }
    }

    private void Evict(int room)
    {
        while (_dynamic.Count > 0 && _tableSize + room > _capacity)
        {
            _tableSize -= EntrySize(_dynamic.Last!.Value);
            _dynamic.RemoveLast();
        }
    }

    // 4.1: name and value octets plus 32.
    private static int EntrySize((string Name, string Value) field) => field.Name.Length + field.Value.Length + 32;
}
