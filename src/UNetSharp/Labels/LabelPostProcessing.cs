namespace UNetSharp.Labels;

/// <summary>
/// Clean-ups of a predicted label map (C-order, 2D or 3D, 0 = background), per foreground class, with face
/// connectivity. Both edit the array in place and return the number of voxels they changed. Apply
/// <see cref="KeepLargestComponent{T}"/> before <see cref="FillHoles{T}"/> (a dropped island must not close a hole).
/// </summary>
public static class LabelPostProcessing
{
    /// <summary>Keeps only the largest connected component of each foreground class; the rest becomes background.
    /// Ties keep the component found first in C-order.</summary>
    public static int KeepLargestComponent<T>(T[] labels, IReadOnlyList<int> shape) where T : struct, IEquatable<T>
    {
        var grid = Grid(labels, shape);
        int changed = 0;
        foreach (var cls in ForegroundClasses(labels))
        {
            var (ids, sizes) = grid.Label(v => labels[v].Equals(cls));
            int largest = 1;
            for (int id = 2; id < sizes.Count; id++) if (sizes[id] > sizes[largest]) largest = id;
            for (int v = 0; v < labels.Length; v++)
            {
                if (ids[v] == 0 || ids[v] == largest) continue;
                labels[v] = default;
                changed++;
            }
        }
        return changed;
    }

    /// <summary>
    /// Fills holes: a background component that does not touch the image border and whose face neighbours all
    /// belong to one class becomes that class. A background pocket bordered by two classes is left alone (which
    /// class it belongs to is not clear).
    /// </summary>
    public static int FillHoles<T>(T[] labels, IReadOnlyList<int> shape) where T : struct, IEquatable<T>
    {
        var grid = Grid(labels, shape);
        var (ids, sizes) = grid.Label(v => labels[v].Equals(default));
        int components = sizes.Count - 1;
        var touchesBorder = new bool[components + 1];
        var enclosing = new T?[components + 1];
        var mixed = new bool[components + 1];
        Span<int> neighbours = stackalloc int[6];
        for (int v = 0; v < labels.Length; v++)
        {
            int id = ids[v];
            if (id == 0) continue;
            if (!touchesBorder[id] && grid.OnBorder(v)) touchesBorder[id] = true;
            if (touchesBorder[id] || mixed[id]) continue;
            int count = grid.Neighbours(v, neighbours);
            for (int k = 0; k < count; k++)
            {
                int n = neighbours[k];
                if (ids[n] != 0) continue;
                if (enclosing[id] is not { } seen) enclosing[id] = labels[n];
                else if (!seen.Equals(labels[n])) mixed[id] = true;
            }
        }
        int changed = 0;
        for (int v = 0; v < labels.Length; v++)
        {
            int id = ids[v];
            if (id == 0 || touchesBorder[id] || mixed[id] || enclosing[id] is not { } cls) continue;
            labels[v] = cls;
            changed++;
        }
        return changed;
    }

    static ConnectedComponents Grid<T>(T[] labels, IReadOnlyList<int> shape)
    {
        var grid = new ConnectedComponents(shape);
        if (grid.Voxels != labels.Length) throw new ArgumentException($"label map has {labels.Length} values, shape [{string.Join(", ", shape)}] has {grid.Voxels}");
        return grid;
    }

    static IEnumerable<T> ForegroundClasses<T>(T[] labels) where T : struct, IEquatable<T> =>
        labels.Where(l => !l.Equals(default)).Distinct().ToList();
}
