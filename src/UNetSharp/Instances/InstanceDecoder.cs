using UNetSharp.Labels;
using UNetSharp.Metrics;

namespace UNetSharp.Instances;

/// <summary>
/// Turns a network's foreground mask and interior probability into an instance label map (0 = background, 1..n in
/// C-order of each instance's first voxel), 2D or 3D alike, face connectivity.
/// <para>Watershed (Meyer's flooding): markers are the connected components of foreground voxels with interior
/// probability above <see cref="InstanceDecodingOptions.MarkerThreshold"/>; the foreground is flooded from them in order
/// of the <see cref="InstanceDecodingOptions.Surface"/> (1 − p(interior), or minus the distance to the background; ties
/// first come, first served), so the ridge between two touching objects is where their floods meet. Foreground
/// components that hold no marker (an object whose interior was missed) stay instances of their own rather than being
/// lost. Then specks below <see cref="InstanceDecodingOptions.MinSize"/> are removed and enclosed holes filled.</para>
/// </summary>
public static class InstanceDecoder
{
    /// <summary>
    /// Decodes a three-class prediction's probabilities [background, interior, border] × voxels: foreground =
    /// 1 − p(background) above <see cref="InstanceDecodingOptions.ForegroundThreshold"/> (at 0.5 the argmax's
    /// foreground whenever one class dominates; lower keeps dim objects whose probability is split between interior and border).
    /// </summary>
    public static (int[] Instances, int Count) FromProbabilities(ReadOnlySpan<float> probabilities, int[] shape, InstanceDecodingOptions options)
    {
        int voxels = probabilities.Length / 3;
        if (probabilities.Length != 3 * voxels) throw new ArgumentException($"a three-class prediction has 3 × voxels probabilities, got {probabilities.Length}");
        return Decode(Foreground(probabilities, options.ForegroundThreshold), probabilities.Slice(InstanceTargets.Interior * voxels, voxels), shape, options);
    }

    /// <summary>Voxels whose probability of not being background exceeds <paramref name="threshold"/>.</summary>
    public static bool[] Foreground(ReadOnlySpan<float> probabilities, double threshold)
    {
        int voxels = probabilities.Length / 3;
        var background = probabilities[..voxels];
        var foreground = new bool[voxels];
        for (int v = 0; v < voxels; v++) foreground[v] = 1f - background[v] > threshold;
        return foreground;
    }

    public static (int[] Instances, int Count) Decode(ReadOnlySpan<bool> foreground, ReadOnlySpan<float> interior, int[] shape, InstanceDecodingOptions options)
    {
        options.Validate();
        var grid = new ConnectedComponents(shape);
        if (foreground.Length != grid.Voxels || interior.Length != grid.Voxels)
            throw new ArgumentException($"foreground ({foreground.Length}) and interior ({interior.Length}) must both have the {grid.Voxels} voxels of shape [{string.Join(", ", shape)}]");
        var mask = foreground.ToArray();
        int[] labels = options.Method == InstanceDecoderKind.Watershed
            ? Watershed(grid, shape, mask, interior, options)
            : grid.Label(v => mask[v]).Ids;
        RemoveSmall(labels, options.MinSize);
        if (options.FillHoles) LabelPostProcessing.FillHoles(labels, shape);
        int count = Relabel(labels);
        return (labels, count);
    }

    static int[] Watershed(ConnectedComponents grid, int[] shape, bool[] mask, ReadOnlySpan<float> interior, InstanceDecodingOptions options)
    {
        float threshold = (float)options.MarkerThreshold;
        var seed = new bool[mask.Length];
        for (int v = 0; v < mask.Length; v++) seed[v] = mask[v] && interior[v] > threshold;
        var (labels, sizes) = grid.Label(v => seed[v]);
        for (int v = 0; v < labels.Length; v++)
            if (labels[v] != 0 && sizes[labels[v]] < options.MinMarkerSize) labels[v] = 0;

        var elevation = new float[mask.Length];
        if (options.Surface == WatershedSurface.Distance)
        {
            var background = new bool[mask.Length];
            for (int v = 0; v < mask.Length; v++) background[v] = !mask[v];
            var squared = DistanceTransform.SquaredEuclidean(background, shape, Enumerable.Repeat(1.0, shape.Length).ToArray());
            for (int v = 0; v < mask.Length; v++) elevation[v] = -(float)Math.Sqrt(squared[v]);
        }
        else
            for (int v = 0; v < mask.Length; v++) elevation[v] = 1f - interior[v];
        var queue = new PriorityQueue<int, (float Elevation, long Age)>();
        long age = 0;
        Span<int> neighbours = stackalloc int[6];
        for (int v = 0; v < labels.Length; v++)
            if (labels[v] != 0) queue.Enqueue(v, (elevation[v], age++));
        while (queue.TryDequeue(out int v, out _))
        {
            int count = grid.Neighbours(v, neighbours);
            for (int k = 0; k < count; k++)
            {
                int n = neighbours[k];
                if (labels[n] != 0 || !mask[n]) continue;
                labels[n] = labels[v];
                queue.Enqueue(n, (elevation[n], age++));
            }
        }

        // Foreground the flood could not reach (components without a marker) becomes instances of its own.
        int next = sizes.Count;
        var (rest, _) = grid.Label(v => mask[v] && labels[v] == 0);
        for (int v = 0; v < labels.Length; v++)
            if (rest[v] != 0) labels[v] = next + rest[v];
        return labels;
    }

    static void RemoveSmall(int[] labels, int minSize)
    {
        if (minSize <= 1) return;
        var sizes = new Dictionary<int, int>();
        foreach (int id in labels) if (id != 0) sizes[id] = sizes.GetValueOrDefault(id) + 1;
        for (int v = 0; v < labels.Length; v++)
            if (labels[v] != 0 && sizes[labels[v]] < minSize) labels[v] = 0;
    }

    /// <summary>Renumbers instances 1..n in C-order of their first voxel; returns n.</summary>
    static int Relabel(int[] labels)
    {
        var map = new Dictionary<int, int>();
        for (int v = 0; v < labels.Length; v++)
        {
            int id = labels[v];
            if (id == 0) continue;
            if (!map.TryGetValue(id, out int renamed)) map[id] = renamed = map.Count + 1;
            labels[v] = renamed;
        }
        return map.Count;
    }
}
