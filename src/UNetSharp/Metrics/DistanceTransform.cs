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

    const int LinesPerBlock = 256;

    static void TransformAxis(double[] values, int n, int stride, double step)
    {
        int lines = values.Length / n;
        int blocks = (lines + LinesPerBlock - 1) / LinesPerBlock;
        // Lines are numbered so that consecutive numbers start at adjacent voxels: a block of strided lines then
        // shares cache lines, which keeps the slow-axis passes memory-friendly.
        Parallel.For(0, blocks, () => new LineBuffers(n), (block, _, buffers) =>
        {
            int end = Math.Min(lines, (block + 1) * LinesPerBlock);
            for (int line = block * LinesPerBlock; line < end; line++)
            {
                int outer = line / stride, inner = line - outer * stride;
                int start = outer * n * stride + inner;
                for (int i = 0; i < n; i++) buffers.F[i] = values[start + i * stride];
                LowerEnvelope(buffers, n, step);
                for (int i = 0; i < n; i++) values[start + i * stride] = buffers.D[i];
            }
            return buffers;
        }, _ => { });
    }

    sealed class LineBuffers(int n)
    {
        public readonly double[] F = new double[n], D = new double[n], Z = new double[n + 1];
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
