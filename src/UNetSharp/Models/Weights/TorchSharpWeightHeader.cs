using System.Text;

namespace UNetSharp.Models.Weights;

/// <summary>
/// Reads the names and shapes in a TorchSharp weight file (Module.save: LEB128 count, then per tensor a
/// .NET string name, LEB128 element type, rank, dims, raw data) without loading it, so that a mismatch is
/// reported by tensor name before TorchSharp's loader fails with a bare "Mismatched tensor shape".
/// </summary>
public static class TorchSharpWeightHeader
{
    static readonly Dictionary<long, int> ElementSizes = new()
    {
        [0] = 1, [1] = 1, [2] = 2, [3] = 4, [4] = 8, [5] = 2, [6] = 4, [7] = 8, [11] = 1, [15] = 2,
    };

    public static Dictionary<string, long[]> ReadShapes(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            long count = Leb128(reader, path);
            if (count is < 0 or > 1_000_000) throw new DataFormatException(path, $"not a TorchSharp weight file (claims {count} tensors)");
            var shapes = new Dictionary<string, long[]>();
            for (long t = 0; t < count; t++)
            {
                string name = reader.ReadString();
                long type = Leb128(reader, path);
                if (!ElementSizes.TryGetValue(type, out int size)) throw new DataFormatException(path, $"tensor '{name}' has unknown element type {type}");
                long rank = Leb128(reader, path);
                if (rank is < 0 or > 8) throw new DataFormatException(path, $"tensor '{name}' has rank {rank}");
                var shape = new long[rank];
                long bytes = size;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = Leb128(reader, path);
                    if (shape[d] < 0 || (shape[d] > 0 && bytes > long.MaxValue / shape[d])) throw new DataFormatException(path, $"tensor '{name}' has an absurd shape");
                    bytes *= shape[d];
                }
                if (stream.Position + bytes > stream.Length) throw new DataFormatException(path, $"truncated inside tensor '{name}'");
                stream.Seek(bytes, SeekOrigin.Current);
                shapes[name] = shape;
            }
            return shapes;
        }
        catch (EndOfStreamException e) { throw new DataFormatException(path, "truncated TorchSharp weight file", e); }
        catch (IOException e) when (e is not FileNotFoundException) { throw new DataFormatException(path, "unreadable weight file: " + e.Message, e); }
    }

    static long Leb128(BinaryReader reader, string path)
    {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new DataFormatException(path, "corrupt length field");
    }
}
