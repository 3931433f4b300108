namespace UNetSharp.Metrics;

/// <summary>
/// Exact squared Euclidean distance transform with anisotropic spacing: the separable lower-envelope-of-parabolas
/// algorithm of Felzenszwalb &amp; Huttenlocher (2012), one 1D pass per axis with sample positions i·spacing[axis].
/// O(voxels) per axis, so it scales to 512×512×200 where pairwise surface distances would not.
/// </summary>
public static class DistanceTransform
{
    /// <summary>
    /// Squared physical distance from every voxel to the nearest seed voxel (0 at seeds, +∞ everywhere when there are
    /// no seeds). <paramref name="seeds"/> is C-order over <paramref name="shape"/>; spacing has one value per axis.
    /// </summary>
    public static double[] SquaredEuclidean(ReadOnlySpan<bool> seeds, int[] shape, double[] spacing)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long voxels = 1;
        foreach (int size in shape)
        {
            if (size <= 0) throw new ArgumentException($"shape [{string.Join(",", shape)}] has a non-positive size", nameof(shape));
            voxels *= size;
        }
        if (shape.Length == 0 || voxels != seeds.Length)
            throw new ArgumentException($"seeds have {seeds.Length} voxels but shape [{string.Join(",", shape)}] has {voxels}", nameof(seeds));
        VolumeGrid.CheckSpacing(shape, spacing);
        var values = new double[seeds.Length];
        for (int i = 0; i < values.Length; i++) values[i] = seeds[i] ? 0 : double.PositiveInfinity;
        TransformInPlace(values, shape, spacing);
        return values;
    }

    /// <summary>Replaces f with min over j of f(j) + |x − j|² (physical units), axis by axis. +∞ marks "no seed".</summary>
    internal static void TransformInPlace(double[] values, int[] shape, double[] spacing)
    {
        int stride = 1;
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            int n = shape[axis];
            if (n > 1) TransformAxis(values, n, stride, spacing[axis]);
            stride *= n;
        }
    }

    // Strided axes are processed in tiles of this many neighbouring lines: each of a tile's n rows is then one
    // contiguous read/write instead of n scattered ones per line (a 512×512 plane is 2 MiB apart in memory).
    const int TileWidth = 16;

    static void TransformAxis(double[] values, int n, int stride, double step)
    {
        int outerCount = values.Length / (n * stride);
        int tilesPerOuter = (stride + TileWidth - 1) / TileWidth;
        Parallel.For(0, outerCount * tilesPerOuter, () => new LineBuffers(n), (tileIndex, _, buffers) =>
        {
            int outer = tileIndex / tilesPerOuter;
            int inner0 = (tileIndex - outer * tilesPerOuter) * TileWidth;
            int width = Math.Min(TileWidth, stride - inner0);
            int start = outer * n * stride + inner0;
            if (stride == 1)
            {
                // Contiguous line: no tile needed.
                var line = values.AsSpan(start, n);
                line.CopyTo(buffers.F);
                LowerEnvelope(buffers, n, step);
                buffers.D.AsSpan(0, n).CopyTo(line);
                return buffers;
            }
            double[] tile = buffers.Tile;
            for (int i = 0; i < n; i++) values.AsSpan(start + i * stride, width).CopyTo(tile.AsSpan(i * width, width));
            for (int c = 0; c < width; c++)
            {
                for (int i = 0; i < n; i++) buffers.F[i] = tile[i * width + c];
                LowerEnvelope(buffers, n, step);
                for (int i = 0; i < n; i++) tile[i * width + c] = buffers.D[i];
            }
            for (int i = 0; i < n; i++) tile.AsSpan(i * width, width).CopyTo(values.AsSpan(start + i * stride, width));
            return buffers;
        }, _ => { });
    }

    sealed class LineBuffers(int n)
    {
        public readonly double[] F = new double[n], D = new double[n], Z = new double[n + 1], Tile = new double[n * TileWidth];
        public readonly int[] V = new int[n];
    }

    /// <summary>D[q] = min over p of F[p] + ((q − p)·step)²; +∞ when every F is +∞.</summary>
    static void LowerEnvelope(LineBuffers b, int n, double step)
    {
        double[] f = b.F, d = b.D, z = b.Z;
        int[] v = b.V;
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue; // no parabola for voxels without a finite value
            double pq = q * step, hq = f[q] + pq * pq;
            if (k < 0)
            {
                k = 0; v[0] = q; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity;
                continue;
            }
            double s;
            while (true)
            {
                int p = v[k];
                double pp = p * step;
                // Abscissa where the parabolas rooted at p and q meet.
                s = (hq - (f[p] + pp * pp)) / (2 * (pq - pp));
                if (s <= z[k]) k--; else break; // z[0] = −∞, so k never drops below 0
            }
            k++; v[k] = q; z[k] = s; z[k + 1] = double.PositiveInfinity;
        }
        if (k < 0)
        {
            Array.Fill(d, double.PositiveInfinity, 0, n);
            return;
        }
        k = 0;
        for (int q = 0; q < n; q++)
        {
            double pq = q * step;
            while (z[k + 1] < pq) k++;
            double diff = pq - v[k] * step;
            d[q] = diff * diff + f[v[k]];
        }
    }
}
