using System.Diagnostics;
using System.IO.Compression;
using UNetSharp.IO;
using Xunit.Abstractions;

namespace UNetSharp.Tests.IO;

/// <summary>
/// Flips, overwrites, truncates and splices bytes of valid files with a seeded RNG and proves that readers either succeed
/// or throw <see cref="DataFormatException"/>: no other exception escapes and no case hangs. A few hundred cases per format
/// by default; set UNETSHARP_MUTATIONS=10000 for a long run.
/// </summary>
public class HostileMutationTests(ITestOutputHelper output)
{
    static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    static int Cases => int.TryParse(Environment.GetEnvironmentVariable("UNETSHARP_MUTATIONS"), out int n) && n > 0 ? n : 250;

    public static TheoryData<string> Formats() => ["nii", "nii-be-v2", "nii.gz", "nii.gz-inner", "png-gray8", "png-rgba8", "png-gray16", "png-gray8-crc", "png-rgba8-crc", "png-gray16-crc", "tif-8", "tif-16-stack", "nii-predict", "dataset-json", "dcm-explicit", "dcm-implicit"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task OnlyDataFormatExceptionEscapes(string format)
    {
        using var dir = new TempDir();
        bool fixCrc = format.EndsWith("-crc", StringComparison.Ordinal);
        var (seed, extension, read, inner) = Seed(fixCrc ? format[..^4] : format, dir);
        string path = dir.File("mutant" + extension);
        var random = new Random(StableHash(format));
        int rejected = 0, accepted = 0;
        var failures = new List<string>();
        var problems = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Cases; i++)
        {
            byte[] bytes = inner ? Gzip(Mutate(seed, random)) : Mutate(seed, random);
            if (fixCrc) FixPngCrcs(bytes); // so mutants get past the CRC check into IHDR validation, zlib and Skia
            File.WriteAllBytes(path, bytes);
            var task = Task.Run(() => read(path));
            if (await Task.WhenAny(task, Task.Delay(PerCase)) != task)
            {
                failures.Add($"case {i}: hang (> {PerCase.TotalSeconds} s)");
                File.WriteAllBytes(dir.File($"hang{i}{extension}"), bytes);
                break;
            }
            try
            {
                await task;
                accepted++;
            }
            catch (DataFormatException d)
            {
                // a mutated dataset.json may also break a case it lists: then that case's file is named
                if (format == "dataset-json") Assert.StartsWith(dir.Path, d.Path);
                else Assert.Equal(path, d.Path);
                rejected++;
                string kind = new string(d.Problem.TakeWhile(c => !char.IsDigit(c) && c != '(').ToArray()).Trim();
                problems[kind] = problems.GetValueOrDefault(kind) + 1;
            }
            catch (Exception x)
            {
                failures.Add($"case {i}: {x.GetType().Name}: {x.Message.ReplaceLineEndings(" ")} at {x.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
        }
        output.WriteLine($"{format}: {Cases} cases, {rejected} rejected, {accepted} accepted, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var (kind, count) in problems.OrderByDescending(p => p.Value).Take(8)) output.WriteLine($"  {count} x {kind}");
        foreach (string f in failures.Take(20)) output.WriteLine(f);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(rejected > Cases / 10, $"only {rejected} of {Cases} mutants rejected: the mutations are too gentle to test anything");
    }

    static int StableHash(string s) => s.Aggregate(17, (h, c) => h * 31 + c);

    /// <summary>The valid file to mutate, its extension, how to read it fully, and whether to mutate before gzip.</summary>
    static (byte[] Seed, string Extension, Action<string> Read, bool Inner) Seed(string format, TempDir dir)
    {
        Action<string> nifti = p => NiftiFile.Read(p).ToFloat32();
        Action<string> image = p => ImageFile.Read(p);
        string file = dir.File("seed-" + format);
        switch (format)
        {
            case "nii-predict": // through prediction's reader: finite values and spacing checked, channels, normalisation
            {
                NiftiFile.Write(file + ".nii", NiftiTestImages.Image(1, true, NiftiDataType.Float32, 8, 7, 6));
                var config = UNetSharp.Tests.Models.TinyNets.Config(dims: 3, depth: 2);
                var plan = new UNetSharp.Planning.ExperimentPlan
                {
                    Network = config, PatchSize = [8, 8, 8], ClassValues = [0, 1],
                    Normalization = [new UNetSharp.Planning.ChannelNormalization(UNetSharp.Planning.NormalizationKind.ZScore)],
                };
                return (File.ReadAllBytes(file + ".nii"), ".nii", p => UNetSharp.Prediction.PredictionInput.Read(p, plan, config), false);
            }
            case "dataset-json": // the mutant is the dataset.json of a two-case MSD set, which is then checked case by case
            {
                string root = Directory.CreateDirectory(dir.File("mutant")).FullName;
                UNetSharp.Tests.Data.Layouts.LayoutTestData.Msd(root, 2);
                byte[] json = System.Text.Encoding.UTF8.GetBytes("""
                    {"name": "x", "labels": {"0": "background", "1": "a", "2": "b"}, "modality": {"0": "MRI"}, "numTraining": 2,
                     "training": [{"image": "./imagesTr/c0.nii.gz", "label": "./labelsTr/c0.nii.gz"}, {"image": "./imagesTr/c1.nii.gz", "label": "./labelsTr/c1.nii.gz"}]}
                    """);
                return (json, "/dataset.json", p => UNetSharp.Data.Layouts.DatasetCheck.Run(Path.GetDirectoryName(p)!), false);
            }
            case "dcm-explicit" or "dcm-implicit": // one slice read as a series: header parse, geometry, pixels
            {
                var slice = new UNetSharp.Tests.IO.Dicom.DicomTestFiles.Slice([1, 2, 3], UNetSharp.Tests.IO.Dicom.DicomTestFiles.Ramp(30, 1), 6, 5) { Implicit = format == "dcm-implicit", Slope = 1.5, Intercept = -2 };
                return (UNetSharp.Tests.IO.Dicom.DicomTestFiles.Bytes(slice), ".dcm", p => UNetSharp.IO.Dicom.DicomSeries.Read(p), false);
            }
            case "nii":
                NiftiFile.Write(file, NiftiTestImages.Image(1, true, NiftiDataType.Int16, 6, 5, 4));
                return (File.ReadAllBytes(file), ".nii", nifti, false);
            case "nii-be-v2":
                NiftiFile.Write(file, NiftiTestImages.Image(2, false, NiftiDataType.Float32, 6, 5, 2, 2));
                return (File.ReadAllBytes(file), ".nii", nifti, false);
            case "nii.gz":
                NiftiFile.Write(file + ".nii.gz", NiftiTestImages.Image(1, true, NiftiDataType.Float32, 8, 7, 6));
                return (File.ReadAllBytes(file + ".nii.gz"), ".nii.gz", nifti, false);
            case "nii.gz-inner": // mutate the header and data, then compress: reaches the header checks through gzip
                NiftiFile.Write(file, NiftiTestImages.Image(1, true, NiftiDataType.UInt8, 8, 7, 6));
                return (File.ReadAllBytes(file), ".nii.gz", nifti, true);
            case "png-gray8":
                return (Png(file, 1, 8), ".png", image, false);
            case "png-rgba8":
                return (Png(file, 4, 8), ".png", image, false);
            case "png-gray16":
                return (Png(file, 1, 16), ".png", image, false);
            case "tif-8":
                TiffFile.Write(file + ".tif", new RasterImage(Ramp(3 * 20 * 16, 256), 3, [20, 16], 8), 8);
                return (File.ReadAllBytes(file + ".tif"), ".tif", image, false);
            case "tif-16-stack":
                TiffFile.Write(file + ".tif", new RasterImage(Ramp(4 * 12 * 10, 65536, 911), 1, [4, 12, 10], 16), 16);
                return (File.ReadAllBytes(file + ".tif"), ".tif", image, false);
            default: throw new ArgumentException(format);
        }
    }

    static float[] Ramp(int n, int modulo, int step = 7) => Enumerable.Range(0, n).Select(i => (float)(i * step % modulo)).ToArray();

    static byte[] Png(string file, int channels, int bits)
    {
        PngFile.Write(file + ".png", new RasterImage(Ramp(channels * 24 * 20, 1 << bits, bits == 16 ? 4099 : 7), channels, [24, 20], bits), bits);
        return File.ReadAllBytes(file + ".png");
    }

    /// <summary>One to three random edits: bit flips, boundary values over 1/2/4 bytes, truncation, splicing, insertion, deletion.</summary>
    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            // half the edits hit the first 600 bytes, where headers, IFDs and chunk tables live
            int At() => random.Next(random.Next(2) == 0 ? Math.Min(600, bytes.Count) : bytes.Count);
            switch (random.Next(7))
            {
                case 0: { int i = At(); bytes[i] ^= (byte)(1 << random.Next(8)); break; }
                case 1: { int i = At(); bytes[i] = (byte)random.Next(256); break; }
                case 2:
                {
                    byte[] boundary = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
                    int width = new[] { 1, 2, 4, 8 }[random.Next(4)], i = At();
                    byte fill = boundary[random.Next(boundary.Length)];
                    for (int k = 0; k < width && i + k < bytes.Count; k++) bytes[i + k] = k == width - 1 && random.Next(2) == 0 ? (byte)(fill ^ 0x80) : fill;
                    break;
                }
                case 3: bytes = bytes.Take(random.Next(bytes.Count)).ToList(); break; // truncate
                case 4:
                {
                    int from = random.Next(bytes.Count), length = random.Next(1, 64), to = At();
                    var chunk = bytes.Skip(from).Take(length).ToList();
                    for (int k = 0; k < chunk.Count && to + k < bytes.Count; k++) bytes[to + k] = chunk[k];
                    break;
                }
                case 5: { int i = At(); bytes.InsertRange(i, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256))); break; }
                default: { int i = At(); bytes.RemoveRange(i, Math.Min(random.Next(1, 16), bytes.Count - i)); break; }
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Rewrites the CRC of every chunk that still lies inside the file.</summary>
    internal static void FixPngCrcs(byte[] png)
    {
        for (int at = 8; at + 12 <= png.Length;)
        {
            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > png.Length - at - 12) return;
            uint crc = 0xFFFFFFFFu;
            foreach (byte b in png.AsSpan(at + 4, 4 + (int)length))
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + (int)length), crc ^ 0xFFFFFFFFu);
            at += 12 + (int)length;
        }
    }

    static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }
}
