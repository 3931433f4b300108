using UNetSharp.Instances;

namespace UNetSharp.Tests.Instances;

public class InstanceTableTests
{
    [Fact]
    public void Rows_hold_hand_computed_size_centroid_box_intensity_and_score()
    {
        // 3×4 map: instance 1 = (0,0),(0,1),(1,0); instance 2 = (2,3). Spacing 0.5 × 3.0: 1.5 physical units per pixel.
        int[] map = [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2];
        float[] intensity = [10, 20, 0, 0, 30, 0, 0, 0, 0, 0, 0, 7];
        float[] interior = [0.9f, 0.6f, 0, 0, 0.3f, 0, 0, 0, 0, 0, 0, 0.5f];
        var rows = InstanceTable.Measure(map, [3, 4], [0.5, 3.0], intensity, interior);

        Assert.Equal(2, rows.Count);
        var one = rows[0];
        Assert.Equal((1, 3L), (one.Id, one.Voxels));
        Assert.Equal(4.5, one.Size, 12);                  // 3 px × 1.5
        Assert.Equal([1.0 / 3, 1.0 / 3], one.Centroid);   // y: (0+0+1)/3, x: (0+1+0)/3
        Assert.Equal([0, 0], one.BoxMin);
        Assert.Equal([1, 1], one.BoxMax);
        Assert.Equal(20.0, one.MeanIntensity, 12);
        Assert.Equal(0.6, one.Score, 6);
        Assert.Equal([2.0, 3.0], rows[1].Centroid);

        var csv = InstanceTable.ToCsv(rows, 2).Split('\n');
        Assert.Equal("id,voxels,area,centroid_y,centroid_x,min_y,min_x,max_y,max_x,mean_intensity,score", csv[0]);
        Assert.Equal("1,3,4.5,0.33,0.33,0,0,1,1,20,0.6000", csv[1]);
        Assert.Equal("2,1,1.5,2.00,3.00,2,3,2,3,7,0.5000", csv[2]);
    }
}
