using UNetSharp.Inference;
using UNetSharp.Labels;

namespace UNetSharp.Tests.Inference;

public class PostProcessingTests
{
    static byte[] Parse(params string[] rows) => rows.SelectMany(r => r.Select(c => (byte)(c - '0'))).ToArray();

    [Fact]
    public void KeepsTheLargestFaceConnectedComponentOfEachClass()
    {
        var labels = Parse(
            "110002",
            "110002",
            "001000",   // touches the 4-block only at a corner: a separate component
            "000000",
            "222000",
            "000011");
        int changed = LabelPostProcessing.KeepLargestComponent(labels, new[] { 6, 6 });
        Assert.Equal(Parse(
            "110000",
            "110000",
            "000000",
            "000000",
            "222000",
            "000000"), labels);
        Assert.Equal(5, changed);
    }

    [Fact]
    public void KeepsTheLargestComponentIn3DAndWorksOnIntLabels()
    {
        var labels = new int[3 * 3 * 3];
        labels[0] = labels[9] = labels[18] = 1;   // a column through z: 3 voxels
        labels[8] = labels[7] = 1;                // 2 voxels in the first slice's far corner
        labels[26] = 1;                           // 1 voxel
        Assert.Equal(3, LabelPostProcessing.KeepLargestComponent(labels, new[] { 3, 3, 3 }));
        Assert.Equal(new[] { 0, 9, 18 }, Enumerable.Range(0, 27).Where(i => labels[i] == 1));
    }

    [Fact]
    public void FillsHolesEnclosedByOneClassOnly()
    {
        var labels = Parse(
            "0000000",
            "0111022",
            "0101020",   // left: hole in class 1; right: class-2 ring open at the border
            "0111022",
            "0000000",
            "0122200",
            "0102200",   // hole bordered by classes 1 and 2: left alone
            "0122200");
        int changed = LabelPostProcessing.FillHoles(labels, new[] { 8, 7 });
        Assert.Equal(Parse(
            "0000000",
            "0111022",
            "0111020",
            "0111022",
            "0000000",
            "0122200",
            "0102200",
            "0122200"), labels);
        Assert.Equal(1, changed);
    }

    [Fact]
    public void FillsA3DCavityButNotATubeOpenAlongZ()
    {
        int[] shape = { 5, 5, 5 };
        static int At(int z, int y, int x) => (z * 5 + y) * 5 + x;
        var shell = new byte[125];
        var tube = new byte[125];
        for (int z = 1; z <= 3; z++)
            for (int y = 1; y <= 3; y++)
                for (int x = 1; x <= 3; x++)
                    if ((z, y, x) != (2, 2, 2)) shell[At(z, y, x)] = 3;
        for (int z = 0; z < 5; z++)
            for (int y = 1; y <= 3; y++)
                for (int x = 1; x <= 3; x++)
                    if ((y, x) != (2, 2)) tube[At(z, y, x)] = 1;

        Assert.Equal(1, LabelPostProcessing.FillHoles(shell, shape));
        Assert.Equal(3, shell[At(2, 2, 2)]);
        Assert.Equal(0, LabelPostProcessing.FillHoles(tube, shape));   // every slice has a hole, the volume has none
        Assert.Equal(0, tube[At(2, 2, 2)]);
    }

    [Fact]
    public void RejectsAShapeThatDoesNotMatch() =>
        Assert.Throws<ArgumentException>(() => LabelPostProcessing.FillHoles(new byte[10], new[] { 3, 3 }));
}
