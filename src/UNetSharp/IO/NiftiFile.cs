using System.IO.Compression;

namespace UNetSharp.IO;

/// <summary>
/// Reads and writes single-file NIfTI-1/NIfTI-2 images (.nii, .nii.gz; gzip is detected from the bytes, not the name).
/// Every check on the header happens before the voxel array is allocated, and decompression never reads past the size the
/// header claims, so a hostile file costs at most <see cref="NiftiReadLimits.MaxDataBytes"/>. Corrupt input only ever
/// raises <see cref="DataFormatException"/>.
/// </summary>
public static class NiftiFile
{
    public static bool IsNiftiPath(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

    public static NiftiImage Read(string path, NiftiReadLimits? limits = null)
    {
        limits ??= NiftiReadLimits.Default;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return Read(stream, path, gzip ? null : file.Length, limits);
        }
        catch (DataFormatException) { throw; }
        catch (InvalidDataException e) { throw new DataFormatException(path, $"corrupt gzip stream ({e.Message})", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
    }

    public static NiftiHeader ReadHeader(string path, NiftiReadLimits? limits = null) => Read(path, limits).Header;

    static NiftiImage Read(Stream stream, string path, long? fileLength, NiftiReadLimits limits)
    {
        var first = new byte[NiftiHeader.Nifti2Size];
        int got = ReadUpTo(stream, first.AsSpan(0, 4));
        var (version, _) = NiftiHeaderCodec.Detect(first.AsSpan(0, got), path);
        int headerSize = version == 2 ? NiftiHeader.Nifti2Size : NiftiHeader.Nifti1Size;
        got += ReadUpTo(stream, first.AsSpan(4, headerSize - 4));
        if (got < headerSize) throw new DataFormatException(path, $"truncated NIfTI-{version} header ({got} of {headerSize} bytes)");
        var header = NiftiHeaderCodec.Parse(first.AsSpan(0, headerSize), path);
        long dataBytes = Validate(header, path, limits);

        long extensionBytes = (long)header.VoxOffset - headerSize;
        if (fileLength is long length && (long)header.VoxOffset + dataBytes > length)
            throw new DataFormatException(path, (long)header.VoxOffset > length
                ? $"vox_offset {header.VoxOffset} is beyond the end of the file ({length} bytes)"
                : $"truncated: header claims {dataBytes} bytes of voxel data after offset {header.VoxOffset}, file has {length - (long)header.VoxOffset}");
        var extension = new byte[extensionBytes];
        if (ReadUpTo(stream, extension) < extensionBytes)
            throw new DataFormatException(path, $"vox_offset {header.VoxOffset} is beyond the end of the file");

        Array voxels;
        if (fileLength is null) voxels = ReadGrowing(stream, header, dataBytes, path);
        else
        {
            voxels = Array.CreateInstance(NiftiImage.ElementType((NiftiDataType)header.DataType), header.VoxelCount);
            if (ReadUpTo(stream, NiftiImage.BytesOf(voxels)) < dataBytes) throw Truncated(path, dataBytes);
        }
        if (header.LittleEndian != BitConverter.IsLittleEndian) SwapBytes(NiftiImage.BytesOf(voxels), header.BytesPerVoxel);
        return new NiftiImage(header, extension, voxels);
    }

    /// <summary>Checks dims, datatype and offsets; returns the voxel payload size in bytes.</summary>
    static long Validate(NiftiHeader h, string path, NiftiReadLimits limits)
    {
        if (h.Dim[0] < 1 || h.Dim[0] > 7) throw new DataFormatException(path, $"dim[0] is {h.Dim[0]}, must be 1 to 7");
        if (h.Dim[0] > 4) throw new DataFormatException(path, $"{h.Dim[0]}-dimensional images are not supported (at most 4)");
        for (int i = 1; i <= h.Rank; i++)
            if (h.Dim[i] <= 0) throw new DataFormatException(path, $"dim[{i}] is {h.Dim[i]}, must be positive");
        int bytesPerVoxel = NiftiDataTypes.BytesPerVoxel(h.DataType);
        if (bytesPerVoxel == 0) throw new DataFormatException(path, $"unsupported NIfTI datatype {h.DataType}");
        long total = bytesPerVoxel;
        for (int i = 1; i <= h.Rank; i++)
        {
            // divide rather than multiply so that 2^40 voxels (or 2^63) cannot overflow past the check
            if (h.Dim[i] > limits.MaxDataBytes / total)
                throw new DataFormatException(path, $"dims [{string.Join(",", h.Sizes)}] of {bytesPerVoxel}-byte voxels exceed the {limits.MaxDataBytes}-byte limit");
            total *= h.Dim[i];
        }
        double offset = h.VoxOffset;
        if (!double.IsFinite(offset) || offset != Math.Floor(offset)) throw new DataFormatException(path, $"vox_offset {offset} is not a whole number");
        if (offset < h.HeaderSize) throw new DataFormatException(path, $"vox_offset {offset} is inside the {h.HeaderSize}-byte header");
        if (offset - h.HeaderSize > limits.MaxExtensionBytes) throw new DataFormatException(path, $"vox_offset {offset} leaves {offset - h.HeaderSize} extension bytes, more than the {limits.MaxExtensionBytes}-byte limit");
        return total;
    }

    /// <summary>For compressed input the real size is unknown until read: collect chunks as they arrive, so a short file
    /// that claims a huge payload fails after allocating what it really holds, and stop exactly at the claimed size.</summary>
    static Array ReadGrowing(Stream stream, NiftiHeader header, long dataBytes, string path)
    {
        const int ChunkBytes = 4 << 20;
        var chunks = new List<byte[]>();
        for (long remaining = dataBytes; remaining > 0;)
        {
            var chunk = new byte[Math.Min(ChunkBytes, remaining)];
            if (ReadUpTo(stream, chunk) < chunk.Length) throw Truncated(path, dataBytes);
            chunks.Add(chunk);
            remaining -= chunk.Length;
        }
        var voxels = Array.CreateInstance(NiftiImage.ElementType((NiftiDataType)header.DataType), header.VoxelCount);
        var target = NiftiImage.BytesOf(voxels);
        int at = 0;
        foreach (var chunk in chunks) { chunk.CopyTo(target[at..]); at += chunk.Length; }
        return voxels;
    }

    static DataFormatException Truncated(string path, long dataBytes) =>
        new(path, $"truncated: fewer than the {dataBytes} bytes of voxel data the header claims");

    static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    static void SwapBytes(Span<byte> bytes, int size)
    {
        if (size == 1) return;
        for (int i = 0; i + size <= bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    /// <summary>Writes atomically; gzip when the name ends in .gz. vox_offset is set to header size + extension length.</summary>
    public static void Write(string path, NiftiImage image)
    {
        var header = image.Header.Clone();
        header.VoxOffset = header.HeaderSize + image.Extension.Length;
        byte[] headerBytes = NiftiHeaderCodec.Serialize(header);
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, file =>
        {
            using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : new NonClosing(file);
            stream.Write(headerBytes);
            stream.Write(image.Extension);
            Span<byte> data = NiftiImage.BytesOf(image.Voxels);
            if (header.LittleEndian == BitConverter.IsLittleEndian) stream.Write(data);
            else
            {
                int size = header.BytesPerVoxel;
                var chunk = new byte[size * 8192];
                for (int start = 0; start < data.Length; start += chunk.Length)
                {
                    int n = Math.Min(chunk.Length, data.Length - start);
                    data.Slice(start, n).CopyTo(chunk);
                    SwapBytes(chunk.AsSpan(0, n), size);
                    stream.Write(chunk, 0, n);
                }
            }
        });
    }

    /// <summary>Lets the uncompressed path share the using-block of the gzip path without closing the atomic file's stream.</summary>
    sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
