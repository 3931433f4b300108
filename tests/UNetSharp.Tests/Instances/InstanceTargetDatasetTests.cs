using UNetSharp.Data.Layouts;
using UNetSharp.Instances;
using UNetSharp.Tests.Data.Layouts;

namespace UNetSharp.Tests.Instances;

public sealed class InstanceTargetDatasetTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-insttargets-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void An_MSD_instance_label_volume_becomes_the_three_class_target_and_declares_three_classes()
    {
        // [z, y, x] = [2, 3, 4]: instance 7 fills x 0–1 of every row and slice, instance 9 fills x 2–3 (they touch at x 1|2).
        LayoutTestData.Nifti(Path.Combine(root, "imagesTr", "c0.nii.gz"), LayoutTestData.Values(24, i => i));
        LayoutTestData.Nifti(Path.Combine(root, "labelsTr", "c0.nii.gz"), LayoutTestData.Values(24, i => i % 4 < 2 ? 7 : 9));
        var data = new InstanceTargetDataset(DatasetLayouts.Open(root), new InstanceTargetSettings { BorderWidth = 1 });

        var c = data.Load(0);
        // Every voxel is within 1 of the contact (x = 1 and x = 2 are contact voxels, distance 0; x = 0 and 3 are at
        // distance 1), so all would be border; each instance keeps its deepest voxels (x = 0 resp. x = 3) as interior.
        Assert.Equal(LayoutTestData.Values(24, i => i % 4 is 0 or 3 ? 1 : 2).Select(v => (int)v), c.Label!);
        Assert.Equal([0, 1, 2], data.Metadata.Classes.Keys.Order());
        Assert.Equal([7, 9], data.LoadInstanceCase(0).Label!.Distinct().Order());
    }

    [Fact]
    public void A_label_map_that_is_not_integer_valued_is_refused_naming_the_file()
    {
        LayoutTestData.Nifti(Path.Combine(root, "imagesTr", "c0.nii.gz"), LayoutTestData.Values(24, i => i));
        string label = Path.Combine(root, "labelsTr", "c0.nii.gz");
        LayoutTestData.Nifti(label, LayoutTestData.Values(24, i => i == 5 ? 1.5f : 1));
        var data = new InstanceTargetDataset(DatasetLayouts.Open(root), new InstanceTargetSettings());

        var e = Assert.Throws<DataFormatException>(() => data.Load(0));
        Assert.Equal(label, e.Path);
        Assert.Contains("not a whole number", e.Message);
    }
}
