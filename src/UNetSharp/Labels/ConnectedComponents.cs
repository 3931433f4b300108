namespace UNetSharp.Labels;

/// <summary>
/// Face-connected components (4-neighbourhood in 2D, 6 in 3D) on C-order grids, by breadth-first flood fill with one
/// shared queue, so memory is two ints per voxel whatever the number of components.
/// </summary>
public sealed class ConnectedComponents
{
    readonly int[] shape, strides;

    public ConnectedComponents(IReadOnlyList<int> shape)
    {
        if (shape.Count is < 1 or > 3 || shape.Any(s => s <= 0)) throw new ArgumentException($"shape must have 1 to 3 positive axes, got [{string.Join(", ", shape)}]");
        long voxels = shape.Aggregate(1L, (a, s) => a * s);
        if (voxels > int.MaxValue) throw new ArgumentException($"at most {int.MaxValue} voxels, got {voxels}");
        this.shape = shape.ToArray();
        strides = new int[shape.Count];
        for (int a = shape.Count - 1, s = 1; a >= 0; s *= shape[a], a--) strides[a] = s;
        Voxels = (int)voxels;
    }

    public int Voxels { get; }

    /// <summary>
    /// Component id per voxel (1..count; 0 where <paramref name="member"/> is false), and the voxel count of each
    /// component (index 0 unused).
    /// </summary>
    public (int[] Ids, List<int> Sizes) Label(Func<int, bool> member)
    {
        var ids = new int[Voxels];
        var sizes = new List<int> { 0 };
        var queue = new int[Voxels];
        for (int seed = 0; seed < Voxels; seed++)
        {
            if (ids[seed] != 0 || !member(seed)) continue;
            int id = sizes.Count, head = 0, tail = 0;
            ids[seed] = id;
            queue[tail++] = seed;
            while (head < tail)
            {
                int v = queue[head++];
                for (int a = 0; a < shape.Length; a++)
                {
                    int coordinate = v / strides[a] % shape[a];
                    if (coordinate > 0) Visit(v - strides[a]);
                    if (coordinate < shape[a] - 1) Visit(v + strides[a]);
                }
            }
            sizes.Add(tail);

            void Visit(int n)
            {
                if (ids[n] != 0 || !member(n)) return;
                ids[n] = id;
                queue[tail++] = n;
            }
        }
        return (ids, sizes);
    }

    /// <summary>Whether voxel <paramref name="v"/> lies on the grid's border (first or last index on some axis).</summary>
    public bool OnBorder(int v)
    {
        for (int a = 0; a < shape.Length; a++)
        {
            int coordinate = v / strides[a] % shape[a];
            if (coordinate == 0 || coordinate == shape[a] - 1) return true;
        }
        return false;
    }

    /// <summary>Writes the face neighbours of voxel <paramref name="v"/> into <paramref name="result"/> (room for
    /// 2 per axis) and returns how many there are; no delegate, so a whole-volume loop allocates nothing.</summary>
    public int Neighbours(int v, Span<int> result)
    {
        int count = 0;
        for (int a = 0; a < shape.Length; a++)
        {
            int coordinate = v / strides[a] % shape[a];
            if (coordinate > 0) result[count++] = v - strides[a];
            if (coordinate < shape[a] - 1) result[count++] = v + strides[a];
        }
        return count;
    }
}
