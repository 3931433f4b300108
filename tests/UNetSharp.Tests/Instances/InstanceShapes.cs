namespace UNetSharp.Tests.Instances;

/// <summary>Hand-built instance maps: discs, balls and a ring on small grids.</summary>
static class InstanceShapes
{
    /// <summary>Paints voxels within <paramref name="radius"/> of <paramref name="centre"/> (2D or 3D) with <paramref name="id"/>.</summary>
    public static void Ball(int[] map, int[] shape, double[] centre, double radius, int id)
    {
        int depth = shape.Length == 3 ? shape[0] : 1, h = shape[^2], w = shape[^1];
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double dz = shape.Length == 3 ? z - centre[0] : 0, dy = y - centre[^2], dx = x - centre[^1];
                    if (dz * dz + dy * dy + dx * dx <= radius * radius) map[(z * h + y) * w + x] = id;
                }
    }

    /// <summary>The interior probability a perfect network would give: 1 on interior voxels of the target, else 0.</summary>
    public static float[] Interior(int[] target) => target.Select(t => t == 1 ? 1f : 0f).ToArray();

    public static bool[] Foreground(int[] map) => map.Select(v => v != 0).ToArray();

    public static int Distinct(int[] map) => map.Where(v => v != 0).Distinct().Count();
}
