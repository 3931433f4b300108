using UNetSharp.Labels;
using UNetSharp.Metrics;

namespace UNetSharp.Instances;

/// <summary>
/// The training target that lets a semantic network separate touching objects: three classes per voxel,
/// background (0), object interior (1) and object border (2), the DSB 2018 winners' recipe. Border = voxels of an
/// instance within <see cref="InstanceTargetSettings.BorderWidth"/> voxels of anything that is not that instance
/// (background or another instance), so where two instances touch, both sides of the contact become border and the
/// interiors stay apart. The interiors are what <see cref="InstanceDecoder"/> seeds the watershed with.
/// </summary>
public static class InstanceTargets
{
    public const int Background = 0, Interior = 1, Border = 2;

    /// <summary>Class names in class-index order, as the planner records them.</summary>
    public static IReadOnlyDictionary<int, string> ClassNames { get; } =
        new Dictionary<int, string> { [Background] = "background", [Interior] = "interior", [Border] = "border" };

    /// <summary>
    /// Three-class target of an instance label map (0 = background, any other value one instance), C-order over a 2D
    /// or 3D <paramref name="shape"/>, face connectivity. Every instance keeps at least one interior voxel (its deepest
    /// ones), so a nucleus thinner than two borders is not lost to the border class.
    /// </summary>
    public static int[] ThreeClass(ReadOnlySpan<int> instances, int[] shape, double borderWidth = InstanceTargetSettings.DefaultBorderWidth)
    {
        if (!(borderWidth > 0)) throw new ArgumentException($"border width must be positive, got {borderWidth}", nameof(borderWidth));
        var grid = new ConnectedComponents(shape);
        if (grid.Voxels != instances.Length) throw new ArgumentException($"instance map has {instances.Length} values, shape [{string.Join(", ", shape)}] has {grid.Voxels}");

        // Distances are measured to the nearest voxel outside the instance: background voxels, and the voxels of an
        // instance that touch another instance (on both sides of a contact, which marks the contact itself as border).
        var outside = new bool[instances.Length];
        Span<int> neighbours = stackalloc int[6];
        for (int v = 0; v < instances.Length; v++)
        {
            int id = instances[v];
            if (id == 0) { outside[v] = true; continue; }
            int count = grid.Neighbours(v, neighbours);
            for (int k = 0; k < count; k++)
            {
                int other = instances[neighbours[k]];
                if (other != 0 && other != id) { outside[v] = true; break; }
            }
        }
        var squared = DistanceTransform.SquaredEuclidean(outside, shape, Enumerable.Repeat(1.0, shape.Length).ToArray());

        var target = new int[instances.Length];
        double limit = borderWidth * borderWidth;
        var deepest = new Dictionary<int, double>();
        var hasInterior = new HashSet<int>();
        for (int v = 0; v < instances.Length; v++)
        {
            int id = instances[v];
            if (id == 0) continue;
            bool interior = squared[v] > limit;
            target[v] = interior ? Interior : Border;
            if (interior) hasInterior.Add(id);
            else if (!deepest.TryGetValue(id, out double d) || squared[v] > d) deepest[id] = squared[v];
        }
        if (hasInterior.Count < deepest.Count)
            for (int v = 0; v < instances.Length; v++)
            {
                int id = instances[v];
                if (id != 0 && !hasInterior.Contains(id) && squared[v] == deepest[id]) target[v] = Interior;
            }
        return target;
    }
}

/// <summary>How instance labels become training targets; persisted in plan.json (its presence makes the task instance segmentation).</summary>
public sealed record InstanceTargetSettings
{
    public const double DefaultBorderWidth = 2;

    /// <summary>Voxels of an instance within this distance (in voxels) of its outside are border.</summary>
    public double BorderWidth { get; init; } = DefaultBorderWidth;

    public void Validate()
    {
        if (!(BorderWidth > 0 && BorderWidth <= 64)) throw new ConfigurationException($"instance border width must be in (0, 64] voxels, got {BorderWidth}");
    }
}
