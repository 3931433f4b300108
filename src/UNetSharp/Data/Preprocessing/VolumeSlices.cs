namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Moves one axis of a volume to the front and back again, so a 2D network can read a volume as a stack of slices
/// [slice, a, b] whatever axis it is sliced across (nnU-Net's transpose for its 2d configuration). Axis 0 is a no-op.
/// Arrays are C-order [channels, D, H, W] (channels optional), as <see cref="SegmentationCase"/>.
/// </summary>
public static class VolumeSlices
{
    /// <summary>The volume's shape with <paramref name="axis"/> first, the other two in their order.</summary>
    public static int[] MovedShape(IReadOnlyList<int> shape, int axis) => [shape[axis], .. shape.Where((_, a) => a != axis)];

    /// <summary>The case with <paramref name="axis"/> first (image, label and spacing alike).</summary>
    public static SegmentationCase MoveAxisFirst(SegmentationCase c, int axis)
    {
        if (c.Dimensions != 3) throw new ArgumentException($"{c.Id}: only volumes are sliced, this case is {c.Dimensions}D");
        if (axis == 0) return c;
        var order = Order(axis);
        return new SegmentationCase(c.Id, Permute(c.Image, c.Channels, c.Shape, order), c.Channels, MovedShape(c.Shape, axis),
            c.Label is null ? null : Permute(c.Label, 1, c.Shape, order), [c.Spacing[axis], .. c.Spacing.Where((_, a) => a != axis)]);
    }

    /// <summary>Values [channels, moved shape] (<see cref="MovedShape"/>) put back into the volume's own axis order <paramref name="shape"/>.</summary>
    public static T[] MoveAxisBack<T>(T[] values, int channels, IReadOnlyList<int> shape, int axis)
    {
        if (axis == 0) return values;
        var moved = MovedShape(shape, axis);
        // The inverse of "axis first": the moved array's axis k goes to the position Order(axis)[k] held.
        var order = Order(axis);
        var inverse = new int[3];
        for (int k = 0; k < 3; k++) inverse[order[k]] = k;
        return Permute(values, channels, moved, inverse);
    }

    /// <summary>Source axis of each result axis: the sliced axis, then the other two.</summary>
    static int[] Order(int axis) => [axis, .. Enumerable.Range(0, 3).Where(a => a != axis)];

    /// <summary>Result axis k is source axis order[k], per channel.</summary>
    static T[] Permute<T>(T[] values, int channels, IReadOnlyList<int> shape, int[] order)
    {
        long voxels = (long)shape[0] * shape[1] * shape[2];
        var result = new T[values.LongLength];
        var stride = new long[] { (long)shape[1] * shape[2], shape[2], 1 };
        int n0 = shape[order[0]], n1 = shape[order[1]], n2 = shape[order[2]];
        long s0 = stride[order[0]], s1 = stride[order[1]], s2 = stride[order[2]];
        for (int ch = 0; ch < channels; ch++)
        {
            long source = ch * voxels, target = ch * voxels;
            for (int i = 0; i < n0; i++)
                for (int j = 0; j < n1; j++)
                {
                    long from = source + i * s0 + j * s1;
                    for (int k = 0; k < n2; k++) result[target++] = values[from + k * s2];
                }
        }
        return result;
    }
}
