using UNetSharp.Instances;

namespace UNetSharp.Tests.Instances;

public class InstanceDecoderTests
{
    static readonly InstanceDecodingOptions Watershed = new() { MinSize = 1, MinMarkerSize = 1 };
    static readonly InstanceDecodingOptions Components = Watershed with { Method = InstanceDecoderKind.ConnectedComponents };

    [Fact]
    public void Two_touching_discs_become_two_instances_by_watershed_and_one_by_components()
    {
        int[] shape = [24, 32];
        var map = new int[24 * 32];
        InstanceShapes.Ball(map, shape, [12, 10], 7, 1);
        InstanceShapes.Ball(map, shape, [12, 22], 7, 2);
        var interior = InstanceShapes.Interior(InstanceTargets.ThreeClass(map, shape));
        var foreground = InstanceShapes.Foreground(map);

        var (split, count) = InstanceDecoder.Decode(foreground, interior, shape, Watershed);
        Assert.Equal(2, count);
        // The flood reproduces the two discs exactly up to the contact line: every voxel of each reference disc but
        // the contact column belongs to one predicted instance.
        var metrics = UNetSharp.Metrics.InstanceMetrics.Compute(split, map, shape);
        Assert.Equal(2, metrics.TruePositives);
        Assert.True(metrics.SegmentationQuality > 0.9, $"SQ {metrics.SegmentationQuality}");

        var (merged, one) = InstanceDecoder.Decode(foreground, interior, shape, Components);
        Assert.Equal(1, one);
        Assert.Equal(foreground.Count(f => f), merged.Count(v => v == 1));
    }

    [Fact]
    public void A_ring_stays_one_instance()
    {
        int[] shape = [32, 32];
        var map = new int[32 * 32];
        InstanceShapes.Ball(map, shape, [16, 16], 12, 1);
        var hole = new int[map.Length];
        InstanceShapes.Ball(hole, shape, [16, 16], 6, 1);
        for (int v = 0; v < map.Length; v++) if (hole[v] != 0) map[v] = 0;
        var interior = InstanceShapes.Interior(InstanceTargets.ThreeClass(map, shape));

        var (labels, count) = InstanceDecoder.Decode(InstanceShapes.Foreground(map), interior, shape, Watershed with { FillHoles = false });
        Assert.Equal(1, count);
        Assert.Equal(map, labels);
        // With hole filling the ring's hole is enclosed by the one instance, so it becomes part of it: still one instance.
        var (filled, filledCount) = InstanceDecoder.Decode(InstanceShapes.Foreground(map), interior, shape, Watershed);
        Assert.Equal(1, filledCount);
        Assert.Equal(map.Count(v => v != 0) + hole.Count(v => v != 0), filled.Count(v => v == 1));
    }

    [Fact]
    public void Two_touching_balls_in_3D_become_two_instances()
    {
        int[] shape = [16, 16, 28];
        var map = new int[16 * 16 * 28];
        InstanceShapes.Ball(map, shape, [8, 8, 8], 6, 1);
        InstanceShapes.Ball(map, shape, [8, 8, 19], 6, 2);
        var interior = InstanceShapes.Interior(InstanceTargets.ThreeClass(map, shape));

        var (labels, count) = InstanceDecoder.Decode(InstanceShapes.Foreground(map), interior, shape, Watershed);
        Assert.Equal(2, count);
        var m = UNetSharp.Metrics.InstanceMetrics.Compute(labels, map, shape);
        Assert.Equal((2, 0, 0), (m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal(1, InstanceDecoder.Decode(InstanceShapes.Foreground(map), interior, shape, Components).Count);
    }

    [Fact]
    public void Minimum_size_removes_specks_and_markerless_objects_are_kept()
    {
        // 1×20: a 2-voxel speck (cols 1–2) and an 8-voxel object (cols 6–13) whose interior probability is 0 everywhere,
        // so it has no marker; the watershed must still return it (as its own component), and drop the speck.
        var foreground = new bool[20];
        for (int x = 1; x <= 2; x++) foreground[x] = true;
        for (int x = 6; x <= 13; x++) foreground[x] = true;
        var interior = new float[20];
        var (labels, count) = InstanceDecoder.Decode(foreground, interior, [1, 20], Watershed with { MinSize = 3 });
        Assert.Equal(1, count);
        Assert.Equal(Enumerable.Range(0, 20).Select(x => x is >= 6 and <= 13 ? 1 : 0), labels);
    }

    [Fact]
    public void Markers_below_the_minimum_marker_size_are_flooded_by_their_neighbour()
    {
        // 1×12 object; interior probability high on cols 2–4 (3 voxels) and on col 9 (1 voxel). MinMarkerSize 2 drops
        // the single-voxel marker, so the whole object is one instance; MinMarkerSize 1 keeps it: two instances.
        var foreground = Enumerable.Repeat(true, 12).ToArray();
        var interior = new float[12];
        interior[2] = interior[3] = interior[4] = 0.9f;
        interior[9] = 0.9f;
        Assert.Equal(1, InstanceDecoder.Decode(foreground, interior, [1, 12], Watershed with { MinMarkerSize = 2 }).Count);
        var (two, count) = InstanceDecoder.Decode(foreground, interior, [1, 12], Watershed);
        Assert.Equal(2, count);
        // Floods meet between the markers: equal elevation (0 interior) → first come first served, alternating outward.
        Assert.Equal(1, two[6]);
        Assert.Equal(2, two[8]);
    }

    [Fact]
    public void The_distance_surface_cuts_at_the_neck_where_a_flat_interior_surface_cuts_halfway_between_markers()
    {
        // A big disc (r 8 at x 10) touching a small one (r 4 at x 21), one marker voxel at each centre and a flat interior
        // probability elsewhere. Flat elevation floods by geodesic distance from the markers, so (10, 16), 6 from the big
        // centre and 5 from the small one, goes to the small disc; minus the distance to the background floods the big
        // disc's deep basin first and stops at the neck (x ≈ 17.5), so (10, 16) stays with the big disc, as in the reference.
        int[] shape = [21, 28];
        var map = new int[21 * 28];
        InstanceShapes.Ball(map, shape, [10, 10], 8, 1);
        InstanceShapes.Ball(map, shape, [10, 21], 4, 2);
        var foreground = InstanceShapes.Foreground(map);
        var interior = foreground.Select(f => f ? 0.4f : 0f).ToArray();
        interior[10 * 28 + 10] = interior[10 * 28 + 21] = 0.9f;
        int big = 10 * 28 + 10, small = 10 * 28 + 21, between = 10 * 28 + 16;

        var (flat, _) = InstanceDecoder.Decode(foreground, interior, shape, Watershed);
        Assert.Equal(flat[small], flat[between]);
        var (byDistance, count) = InstanceDecoder.Decode(foreground, interior, shape, Watershed with { Surface = WatershedSurface.Distance });
        Assert.Equal(2, count);
        Assert.Equal(byDistance[big], byDistance[between]);
        var m = UNetSharp.Metrics.InstanceMetrics.Compute(byDistance, map, shape);
        Assert.True(m.SegmentationQuality > 0.9, $"SQ {m.SegmentationQuality}");
    }

    [Fact]
    public void Foreground_is_one_minus_background_probability_so_an_object_split_between_interior_and_border_is_kept()
    {
        // 1×6, probabilities [background, interior, border] per voxel. Cols 1–4: background .4, interior .35, border .25:
        // argmax says background, yet 1 − p(background) = .6 > .5, so the object is foreground (one instance of 4 voxels);
        // at a foreground threshold of .7 it is gone.
        float[] background = [1, .4f, .4f, .4f, .4f, 1], interior = [0, .35f, .35f, .35f, .35f, 0], border = [0, .25f, .25f, .25f, .25f, 0];
        float[] probabilities = [.. background, .. interior, .. border];
        var options = Watershed with { MarkerThreshold = 0.3 };
        var (labels, count) = InstanceDecoder.FromProbabilities(probabilities, [1, 6], options);
        Assert.Equal(1, count);
        Assert.Equal([0, 1, 1, 1, 1, 0], labels);
        Assert.Equal(0, InstanceDecoder.FromProbabilities(probabilities, [1, 6], options with { ForegroundThreshold = 0.7 }).Count);
    }
}
