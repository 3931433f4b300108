using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>Every shared NIfTI file survives read → write → read with identical bytes (header, extension, voxels).</summary>
[Trait("Category", "Slow")]
public class NiftiSharedDataTests
{
    static IEnumerable<string> NiftiFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*.nii.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [SkippableFact]
    public void HippocampusFilesRoundTripByteIdentical()
    {
        string root = SharedData.Require("msd-hippocampus");
        var files = NiftiFiles(root).ToList();
        Assert.Equal(390, files.Count);
        var types = RoundTripAll(files);
        // the README says images mix float32 and uint8 storage; labels are uint8
        Assert.Equal(new[] { NiftiDataType.UInt8, NiftiDataType.Float32 }, types.Order().ToArray());
    }

    [SkippableFact]
    public void SpleenFilesRoundTripByteIdentical()
    {
        string root = SharedData.Require("msd-spleen-crop");
        var files = NiftiFiles(root).ToList();
        Assert.Equal(2, files.Count);
        RoundTripAll(files);
        var image = NiftiFile.Read(Path.Combine(root, "imagesTr", "spleen2.nii.gz"));
        Assert.Equal([26, 166, 164], image.Header.SpatialShape);
        Assert.Equal(0.79492, image.Header.Spacing[1], 5); // "0.8 mm" in the README, 0x3F4B8002 in the file
        Assert.Equal(5.0, image.Header.Spacing[0], 6);
        Assert.Equal(2, image.Header.SformCode);
    }

    static HashSet<NiftiDataType> RoundTripAll(IEnumerable<string> files)
    {
        var types = new HashSet<NiftiDataType>();
        string temp = Path.Combine(Path.GetTempPath(), "unetsharp-rt-" + Guid.NewGuid().ToString("N") + ".nii.gz");
        try
        {
            foreach (string file in files)
            {
                var image = NiftiFile.Read(file);
                types.Add(image.DataType);
                NiftiFile.Write(temp, image);
                byte[] original = NiftiCodecTests.Gunzip(file), written = NiftiCodecTests.Gunzip(temp);
                Assert.True(original.AsSpan().SequenceEqual(written), $"{file}: decompressed bytes differ after round trip");
                var again = NiftiFile.Read(temp);
                Assert.Equal(image.ToFloat32(), again.ToFloat32());
            }
        }
        finally { File.Delete(temp); }
        return types;
    }
}
