using System.Numerics;
using System.Text;
using MultiStage.Engine.Session.Hpack;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class SessionHpackTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    private static void AssertFields(IReadOnlyList<(string Name, string Value)> actual, params (string, string)[] expected) =>
        CollectionAssert.AreEqual(expected, actual.ToArray(), string.Join("; ", actual));

    [TestMethod]
    public void HuffmanCodeIsACompletePrefixCode()
    {
        // Kraft's equality: sum of 2^-length over all symbols is exactly 1 for a complete prefix code; a wrong length
        // anywhere in the table breaks it.
        var sum = Enumerable.Range(0, 257).Aggregate(BigInteger.Zero, (total, symbol) => total + (BigInteger.One << (30 - HuffmanCode.LengthOf(symbol))));
        Assert.AreEqual(BigInteger.One << 30, sum);
    }

    [TestMethod]
    [DataRow('0', 0x0u, 5)]
    [DataRow('a', 0x3u, 5)]
    [DataRow(' ', 0x14u, 6)]
    [DataRow('&', 0xf8u, 8)]
    [DataRow('\\', 0x7fff0u, 19)]
    [DataRow((char)255, 0x3ffffeeu, 26)]
    public void HuffmanCodesMatchTheRfcTable(char symbol, uint code, int length)
    {
        // Codes and lengths from RFC 7541 Appendix B.
        Assert.AreEqual(length, HuffmanCode.LengthOf(symbol));
        Assert.AreEqual(code, HuffmanCode.CodeOf(symbol));
    }

    [TestMethod]
    public void EndOfStringIsThirtyOnes()
    {
        Assert.AreEqual(30, HuffmanCode.LengthOf(256));
        Assert.AreEqual(0x3fffffffu, HuffmanCode.CodeOf(256));
    }

    [TestMethod]
    [DataRow("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com")]
    [DataRow("a8eb 1064 9cbf", "no-cache")]
    [DataRow("25a8 49e9 5ba9 7d7f", "custom-key")]
    [DataRow("25a8 49e9 5bb8 e8b4 bf", "custom-value")]
    public void HuffmanDecodesRfcExamples(string encoded, string text)
    {
        Assert.AreEqual(text, Encoding.ASCII.GetString(HuffmanCode.Decode(Hex(encoded))));
    }

    [TestMethod]
    [DataRow("ff", DisplayName = "eight bits of padding")]
    [DataRow("fe", DisplayName = "padding that is not all ones")]
    [DataRow("ffff ffff", DisplayName = "the end-of-string symbol")]
    public void HuffmanRejectsInvalidStrings(string encoded)
    {
        Assert.ThrowsExactly<HpackException>(() => HuffmanCode.Decode(Hex(encoded)));
    }

    [TestMethod]
    public void DecodesRfcRequestsWithoutHuffmanSharingTheDynamicTable()
    {
        // RFC 7541 C.3: three requests on one connection; later ones refer to entries the earlier ones added.
        var decoder = new HpackDecoder();
        AssertFields(decoder.Decode(Hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"));
        AssertFields(decoder.Decode(Hex("8286 84be 5808 6e6f 2d63 6163 6865")), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache"));
        AssertFields(decoder.Decode(Hex("8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65")), (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value"));
    }

    [TestMethod]
    public void DecodesRfcRequestsWithHuffman()
    {
        // RFC 7541 C.4.
        var decoder = new HpackDecoder();
        AssertFields(decoder.Decode(Hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"));
        AssertFields(decoder.Decode(Hex("8286 84be 5886 a8eb 1064 9cbf")), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache"));
        AssertFields(decoder.Decode(Hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")), (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value"));
    }

    [TestMethod]
    public void DecodesRfcResponsesWithHuffmanAndEviction()
    {
        // RFC 7541 C.6: a 256-byte table, so entries are evicted oldest first as new ones arrive.
        var decoder = new HpackDecoder(256);
        AssertFields(
            decoder.Decode(Hex("4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3")),
            (":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com"));
        AssertFields(
            decoder.Decode(Hex("4883 640e ffc1 c0bf")),
            (":status", "307"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("location", "https://www.example.com"));
        AssertFields(
            decoder.Decode(Hex("88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07")),
            (":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"), ("location", "https://www.example.com"), ("content-encoding", "gzip"), ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"));
    }

    [TestMethod]
    public void DecodesNeverIndexedLiteralWithoutAddingIt()
    {
        // RFC 7541 C.2.3; the next block's index 62 must not resolve.
        var decoder = new HpackDecoder();
        AssertFields(decoder.Decode(Hex("1008 7061 7373 776f 7264 0673 6563 7265 74")), ("password", "secret"));
        Assert.ThrowsExactly<HpackException>(() => decoder.Decode(Hex("be")));
    }

    [TestMethod]
    [DataRow(10, 5)]
    [DataRow(1337, 5)]
    [DataRow(42, 8)]
    [DataRow(127, 7)]
    [DataRow(1_000_000, 4)]
    public void IntegersRoundTrip(int value, int prefixBits)
    {
        var bytes = new List<byte>();
        HpackEncoder.WriteInteger(bytes, value, prefixBits, 0);
        var position = 0;
        Assert.AreEqual(value, HpackDecoder.ReadInteger(bytes.ToArray(), ref position, prefixBits));
        Assert.AreEqual(bytes.Count, position);
    }

    [TestMethod]
    public void RfcIntegerExampleEncodesAsPublished()
    {
        // RFC 7541 C.1.2: 1337 with a 5-bit prefix.
        var bytes = new List<byte>();
        HpackEncoder.WriteInteger(bytes, 1337, 5, 0);
        CollectionAssert.AreEqual(Hex("1f9a0a"), bytes.ToArray());
    }

    [TestMethod]
    public void EncodedBlocksDecodeToTheSameFields()
    {
        (string, string)[] fields = [(":status", "200"), ("content-type", "application/grpc"), ("grpc-message", new string('x', 300))];
        AssertFields(new HpackDecoder().Decode(HpackEncoder.Encode(fields)), fields);
    }
}
