using UNetSharp.Instances;
using UNetSharp.Labels;

namespace UNetSharp.Tests.Instances;

public class InstanceTargetsTests
{
    [Fact]
    public void Border_is_the_outer_rings_and_the_contact_between_touching_instances()
    {
        // 1×12 row: instance 1 = cols 1–6, instance 2 = cols 7–10 (touching at 6|7), background at 0 and 11.
        int[] row = [0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 0];
        var t = InstanceTargets.ThreeClass(row, [1, 12], borderWidth: 1);
        // Distance to "outside" (background or a voxel touching another instance): col 1 → 1, col 2 → 2, col 3 → 3,
        // col 4 → 2 (col 6 is a contact voxel), col 5 → 1, col 6 → 0 (contact); instance 2: col 7 → 0, 8 → 1, 9 → 2, 10 → 1.
        Assert.Equal([0, 2, 1, 1, 1, 2, 2, 2, 2, 1, 2, 0], t);
    }

    [Fact]
    public void A_thin_instance_keeps_its_deepest_voxels_as_interior()
    {
        // A 3-voxel instance is all border at width 2, except that its middle voxel (deepest, distance 2) stays interior.
        var t = InstanceTargets.ThreeClass([0, 5, 5, 5, 0], [1, 5], borderWidth: 2);
        Assert.Equal([0, 2, 1, 2, 0], t);
    }

    [Fact]
    public void Two_touching_discs_get_separate_interiors()
    {
        int[] shape = [24, 32];
        var map = new int[24 * 32];
        InstanceShapes.Ball(map, shape, [12, 10], 7, 1);
        InstanceShapes.Ball(map, shape, [12, 22], 7, 2); // centres 12 apart, radius 7: they overlap, 2 paints over 1
        var t = InstanceTargets.ThreeClass(map, shape);
        var interiors = new UNetSharp.Labels.ConnectedComponents(shape).Label(v => t[v] == InstanceTargets.Interior);
        Assert.Equal(2, interiors.Sizes.Count - 1);
        Assert.All(Enumerable.Range(0, map.Length).Where(v => map[v] == 0), v => Assert.Equal(0, t[v]));
    }
}
