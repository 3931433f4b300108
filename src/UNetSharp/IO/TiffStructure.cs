using System.Buffers.Binary;

namespace UNetSharp.IO;

/// <summary>
/// Walks a TIFF's directory chain before LibTiff.NET opens it and refuses entries that claim more data than the file
/// holds. LibTiff reads a forged count first and trims it later: a 1 KB file whose StripByteCounts claims 17 million
/// values made it allocate and read for seconds (found by the hostile mutation test). Classic and BigTIFF.
/// </summary>
internal static class TiffStructure
{
    const int MaxDirectories = 100_000;

    public static void Check(byte[] bytes, string path)
    {
        bool little = bytes[0] == 'I';
        ushort U16(long at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan((int)at));
        uint U32(long at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
        ulong U64(long at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan((int)at));
        long length = bytes.LongLength;
        ushort version = U16(2);
        bool big = version == 43;
        if (!big && version != 42) throw new DataFormatException(path, $"not a TIFF file (version {version})");
        if (big && length < 16) throw new DataFormatException(path, "BigTIFF header is truncated");
        ulong next = big ? U64(8) : U32(4);
        var seen = new HashSet<ulong>();
        for (int d = 0; next != 0 && d < MaxDirectories && seen.Add(next); d++)
        {
            int countSize = big ? 8 : 2, entrySize = big ? 20 : 12, offsetSize = big ? 8 : 4;
            if (next > (ulong)(length - countSize)) throw new DataFormatException(path, $"directory {d} at {next} lies beyond the end of the file");
            long at = (long)next;
            ulong entries = big ? U64(at) : U16(at);
            if (entries > (ulong)((length - at - countSize) / entrySize))
                throw new DataFormatException(path, $"directory {d} at {at} claims {entries} entries, more than the file holds");
            long entry = at + countSize;
            for (ulong e = 0; e < entries; e++, entry += entrySize)
            {
                ushort tag = U16(entry), type = U16(entry + 2);
                ulong count = big ? U64(entry + 4) : U32(entry + 4);
                ulong bytesNeeded = count > (ulong)length ? ulong.MaxValue : count * TypeSize(type);
                if (bytesNeeded > (ulong)length)
                    throw new DataFormatException(path, $"directory {d}: tag {tag} claims {count} values, more than the {length}-byte file holds");
            }
            if (entry + offsetSize > length) throw new DataFormatException(path, $"directory {d} is truncated");
            next = big ? U64(entry) : U32(entry);
        }
    }

    /// <summary>Bytes per value of a TIFF field type; unknown types count as one byte (the least any value takes).</summary>
    static ulong TypeSize(ushort type) => type switch
    {
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 or 16 or 17 or 18 => 8,
        _ => 1,
    };
}
