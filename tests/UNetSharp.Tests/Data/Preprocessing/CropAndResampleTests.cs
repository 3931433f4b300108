using UNetSharp.Data;
using UNetSharp.Data.Preprocessing;

namespace UNetSharp.Tests.Data.Preprocessing;

public class CropAndResampleTests
{
    [Fact]
    public void Crop_to_nonzero_box_over_all_channels_and_put_back()
    {
        int[] shape = [5, 6, 7];
        long n = 5 * 6 * 7;
        var image = new float[2 * n];
        var label = new int[n];
        int Index(int z, int y, int x) => (z * 6 + y) * 7 + x;
        image[Index(1, 2, 3)] = 5;           // channel 0
        image[n + Index(3, 4, 1)] = -2;      // channel 1 widens the box
        label[Index(2, 3, 2)] = 1;
        var c = new SegmentationCase("c", image, 2, shape, label, [2, 1, 1]);

        var (cropped, box) = NonZeroCrop.Crop(c);
        Assert.Equal([1, 2, 1], box.Start);
        Assert.Equal([3, 3, 3], box.Size);
        Assert.Equal([3, 3, 3], cropped.Shape);
        Assert.Equal([2.0, 1, 1], cropped.Spacing);
        Assert.Equal(5f, cropped.Image[(0 * 3 + 0) * 3 + 2]);           // (1,2,3) - start
        Assert.Equal(-2f, cropped.Image[27 + (2 * 3 + 2) * 3 + 0]);     // (3,4,1) - start, channel 1
        Assert.Equal(1, cropped.Label![(1 * 3 + 1) * 3 + 1]);

        Assert.Equal(label, box.Uncrop(cropped.Label));
        Assert.Equal(image, box.Uncrop(cropped.Image, channels: 2));
        var filled = box.Uncrop(cropped.Label, fill: -1);
        Assert.Equal(-1, filled[0]);
        Assert.Equal(n - 27, filled.Count(v => v == -1));
    }

    [Fact]
    public void Crop_of_an_all_zero_image_keeps_everything()
    {
        var c = new SegmentationCase("z", new float[12], 1, [3, 4], null, [1, 1]);
        var (cropped, box) = NonZeroCrop.Crop(c);
        Assert.Equal([0, 0], box.Start);
        Assert.Equal([3, 4], cropped.Shape);
    }

    [Fact]
    public void Resampling_doubles_the_depth_linear_image_nearest_label()
    {
        // 4 slices of constant value 0, 10, 20, 30 at 2 mm; labels per slice 0, 1, 2, 1.
        int[] shape = [4, 3, 3];
        var image = Enumerable.Range(0, 36).Select(i => (float)(i / 9 * 10)).ToArray();
        var label = Enumerable.Range(0, 36).Select(i => new[] { 0, 1, 2, 1 }[i / 9]).ToArray();
        var c = new SegmentationCase("r", image, 1, shape, label, [2.0, 1, 1]);

        var r = Resampler.ToSpacing(c, [1.0, 1, 1]);
        Assert.Equal([8, 3, 3], r.Shape);
        Assert.Equal([1.0, 1, 1], r.Spacing);
        var slices = Enumerable.Range(0, 8).Select(z => r.Image[z * 9 + 4]).ToArray();
        // align_corners=false: output slice z samples input (z + 0.5) / 2 - 0.5, clamped at the ends.
        Assert.Equal([0f, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30f], slices);
        var labels = Enumerable.Range(0, 8).Select(z => r.Label![z * 9 + 4]).ToArray();
        Assert.Equal([0, 0, 1, 1, 2, 2, 1, 1], labels);
    }

    [Fact]
    public void Resampling_to_the_same_spacing_keeps_the_data()
    {
        var c = new SegmentationCase("s", [1, 2, 3, 4], 1, [2, 2], [0, 1, 1, 0], [0.5, 0.5]);
        var r = Resampler.ToSpacing(c, [0.5, 0.5]);
        Assert.Equal(c.Image, r.Image);
        Assert.Equal(c.Label, r.Label);
        Assert.Throws<ConfigurationException>(() => Resampler.ToSpacing(c, [1.0]));
    }
}
