namespace UNetSharp.IO;

/// <summary>CRC-32 (IEEE, as PNG chunks use); System.IO.Hashing is a separate package and this is all we need of it.</summary>
internal static class Crc32
{
    static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte x in a) c = Table[(c ^ x) & 0xFF] ^ (c >> 8);
        foreach (byte x in b) c = Table[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
