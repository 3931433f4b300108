using System.Buffers.Binary;
using System.IO.Compression;
using BitMiracle.LibTiff.Classic;
using Microsoft.AspNetCore.Http;
using UNetSharp.Prediction;
using UNetSharp.IO;

namespace UNetSharp.Serve;

/// <summary>What an upload is, judged from its first bytes and header alone.</summary>
/// <param name="Extension">The file extension the library reads it by (".png", ".tif", ".nii", ".nii.gz").</param>
/// <param name="Voxels">Spatial voxels times channels (times pages) the header declares.</param>
public sealed record UploadInfo(PredictionFileKind Kind, string Extension, long Voxels);

/// <summary>
/// Decides the format of an upload from its content type and magic bytes, and reads the image size its header declares
/// before any pixel is decoded: a body that is not an image is a 400 (or 415 for a content type that names no image),
/// a header that declares more data than the body could hold (even at the best compression ratio) is a 400, and a
/// plausible image over the voxel limit is a 413. The full decoders (<see cref="PngFile"/>, <see cref="NiftiFile"/>,
/// <see cref="TiffFile"/>) then check everything else.
/// </summary>
public static class UploadInspector
{
    /// <summary>deflate (PNG, gzip) expands at most ~1032:1; LZW in TIFF ~4096:1.</summary>
    const long MaxDeflateRatio = 1100, MaxTiffRatio = 4096;

    static readonly string[] NiftiTypes = ["application/x-nifti", "application/nifti", "application/gzip", "application/x-gzip", "application/x-nifti+gzip"];
    static readonly string[] SniffedTypes = ["application/octet-stream", ""];

    public static UploadInfo Inspect(ReadOnlySpan<byte> body, string? contentType, long maxVoxels)
    {
        string type = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var sniffed = Sniff(body);
        PredictionFileKind? declared = type switch
        {
            "image/png" => PredictionFileKind.Png,
            "image/tiff" or "image/tif" => PredictionFileKind.Tiff,
            _ when NiftiTypes.Contains(type) => PredictionFileKind.Nifti,
            _ when SniffedTypes.Contains(type) => null,
            _ => throw new UploadRejectedException(StatusCodes.Status415UnsupportedMediaType,
                $"content type '{type}' is not an image this service reads: send image/png, image/tiff, application/x-nifti (.nii), application/gzip (.nii.gz) or application/octet-stream"),
        };
        if (body.Length == 0) throw new UploadRejectedException(StatusCodes.Status400BadRequest, "empty body: send the image file as the request body");
        var kind = declared ?? sniffed ?? throw new UploadRejectedException(StatusCodes.Status400BadRequest,
            "the body is not a PNG, TIFF or NIfTI file (unknown magic bytes)");
        if (declared is not null && sniffed != declared)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest,
                $"content type '{type}' says {declared}, but the body is {(sniffed is { } s ? $"a {s} file" : "not a PNG, TIFF or NIfTI file")}");
        var (extension, voxels) = kind switch
        {
            PredictionFileKind.Png => (".png", PngVoxels(body)),
            PredictionFileKind.Tiff => (".tif", TiffVoxels(body)),
            _ => NiftiVoxels(body),
        };
        if (voxels > maxVoxels)
            throw new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, $"the image has {voxels} voxels (x channels), more than this server's limit of {maxVoxels}");
        return new UploadInfo(kind, extension, voxels);
    }

    static PredictionFileKind? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return PredictionFileKind.Png;
        if (b.Length >= 4 && (b[..4].SequenceEqual("II*\0"u8) || b[..4].SequenceEqual("MM\0*"u8))) return PredictionFileKind.Tiff;
        if (b.Length >= 2 && b[0] == 0x1f && b[1] == 0x8b) return PredictionFileKind.Nifti;   // gzip: only .nii.gz is accepted gzipped
        if (b.Length >= 4)
        {
            int le = BinaryPrimitives.ReadInt32LittleEndian(b), be = BinaryPrimitives.ReadInt32BigEndian(b);
            if (le is NiftiHeader.Nifti1Size or NiftiHeader.Nifti2Size || be is NiftiHeader.Nifti1Size or NiftiHeader.Nifti2Size) return PredictionFileKind.Nifti;
        }
        return null;
    }

    static UploadRejectedException Bad(string problem) => new(StatusCodes.Status400BadRequest, problem);

    static long PngVoxels(ReadOnlySpan<byte> b)
    {
        if (b.Length < 33 || !b.Slice(12, 4).SequenceEqual("IHDR"u8)) throw Bad("truncated PNG: no IHDR chunk");
        long width = BinaryPrimitives.ReadUInt32BigEndian(b[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(b[20..]);
        int depth = b[24], color = b[25];
        if (width == 0 || height == 0) throw Bad($"PNG declares a {width}x{height} image");
        int samples = color switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };
        double raw = height * ((width * samples * Math.Max(depth, 1) + 7) / 8.0 + 1);
        if (raw > MaxDeflateRatio * (double)b.Length + 1024)
            throw Bad($"PNG declares a {width}x{height} image, which {b.Length} bytes cannot hold: truncated or forged header");
        return checked(width * height * (color == 3 ? 3 : samples));
    }

    static (string Extension, long Voxels) NiftiVoxels(ReadOnlySpan<byte> body)
    {
        bool gzip = body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b;
        var header = new byte[NiftiHeader.Nifti2Size];
        int got;
        if (gzip)
        {
            try
            {
                using var z = new GZipStream(new MemoryStream(body.ToArray(), writable: false), CompressionMode.Decompress);
                got = z.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }
            catch (InvalidDataException e) { throw Bad($"corrupt gzip stream ({e.Message})"); }
        }
        else
        {
            got = Math.Min(body.Length, header.Length);
            body[..got].CopyTo(header);
        }
        NiftiHeader h;
        try
        {
            var (version, _) = NiftiHeaderCodec.Detect(header.AsSpan(0, Math.Min(got, 4)), "upload");
            int size = version == 2 ? NiftiHeader.Nifti2Size : NiftiHeader.Nifti1Size;
            if (got < size) throw Bad($"truncated NIfTI-{version} header ({got} of {size} bytes)");
            h = NiftiHeaderCodec.Parse(header.AsSpan(0, size), "upload");
        }
        catch (DataFormatException e) { throw Bad(e.Problem); }
        if (h.Rank is < 1 or > 7) throw Bad($"NIfTI dim[0] is {h.Rank}, must be 1 to 7");
        double voxels = 1;
        for (int i = 1; i <= h.Rank; i++)
        {
            if (h.Dim[i] <= 0) throw Bad($"NIfTI dim[{i}] is {h.Dim[i]}, must be positive");
            voxels *= h.Dim[i];
        }
        double bytes = voxels * Math.Max(1, NiftiDataTypes.BytesPerVoxel(h.DataType));
        double room = gzip ? MaxDeflateRatio * (double)body.Length + 1024 : body.Length - h.VoxOffset;
        if (bytes > room)
            throw Bad(gzip
                ? $"NIfTI declares dims [{string.Join(",", h.Sizes)}] ({bytes:F0} bytes), which {body.Length} gzipped bytes cannot hold: truncated or forged header"
                : $"truncated NIfTI: the header declares dims [{string.Join(",", h.Sizes)}], {bytes:F0} bytes of voxel data after offset {h.VoxOffset}, the body has {Math.Max(0, body.Length - h.VoxOffset):F0}");
        return (gzip ? ".nii.gz" : ".nii", voxels >= long.MaxValue ? long.MaxValue : (long)voxels);
    }

    static long TiffVoxels(ReadOnlySpan<byte> body)
    {
        _ = TiffFile.MaxSamples;   // runs TiffFile's static constructor: LibTiff errors become exceptions, not stderr lines
        try
        {
            using var tiff = Tiff.ClientOpen("upload", "r", new MemoryStream(body.ToArray(), writable: false), new TiffStream())
                ?? throw Bad("not a readable TIFF file");
            double total = 0;
            int pages = 0;
            do
            {
                if (++pages > 100_000) throw Bad("TIFF has more than 100000 pages");
                double width = Field(tiff, TiffTag.IMAGEWIDTH), height = Field(tiff, TiffTag.IMAGELENGTH), samples = Math.Max(1, Field(tiff, TiffTag.SAMPLESPERPIXEL));
                total += width * height * samples;
            }
            while (tiff.ReadDirectory());
            if (total > MaxTiffRatio * (double)body.Length + 1024)
                throw Bad($"TIFF declares {total:F0} samples, which {body.Length} bytes cannot hold: truncated or forged header");
            return total >= long.MaxValue ? long.MaxValue : (long)total;
        }
        catch (UploadRejectedException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException) { throw Bad($"corrupt TIFF ({e.Message.ReplaceLineEndings(" ")})"); }
    }

    static int Field(Tiff tiff, TiffTag tag)
    {
        var value = tiff.GetFieldDefaulted(tag) ?? tiff.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : 0;
    }
}
