using UNetSharp.Instances;

namespace UNetSharp.Tests.Instances;

public class BinaryMasksTests
{
    [Theory]
    [InlineData(new[] { 0, 1, 1, 0 }, true)]
    [InlineData(new[] { 0, 255, 0, 255 }, true)]
    [InlineData(new[] { 0, 1, 255 }, false)]   // two foreground values: an instance map (ids 1 and 255)
    [InlineData(new[] { 0, 2, 2 }, false)]     // one instance with id 2
    [InlineData(new[] { 0, 1, 2 }, false)]
    [InlineData(new[] { 0, 0 }, false)]        // empty: nothing to relabel
    public void Binary_means_only_zero_and_one_foreground_value_1_or_255(int[] values, bool binary) =>
        Assert.Equal(binary, BinaryMasks.IsBinary(values));

    [Fact]
    public void A_binary_mask_is_labelled_by_components()
    {
        // 2×5: two blobs of 255 separated by a background column.
        Assert.Equal([1, 1, 0, 2, 2, 1, 0, 0, 2, 0], BinaryMasks.LabelComponents([255, 255, 0, 255, 255, 255, 0, 0, 255, 0], [2, 5]));
    }
}
