namespace UNetSharp.IO;

/// <summary>NIfTI voxel-to-world affines, following the NIfTI-1 standard and nibabel's choice between them.</summary>
public static class NiftiGeometry
{
    public static double[,] BestAffine(NiftiHeader h)
    {
        if (h.SformCode > 0) return SformAffine(h);
        if (h.QformCode > 0) return QformAffine(h);
        return BaseAffine(h);
    }

    public static double[,] SformAffine(NiftiHeader h) => new double[,]
    {
        { h.SRowX[0], h.SRowX[1], h.SRowX[2], h.SRowX[3] },
        { h.SRowY[0], h.SRowY[1], h.SRowY[2], h.SRowY[3] },
        { h.SRowZ[0], h.SRowZ[1], h.SRowZ[2], h.SRowZ[3] },
        { 0, 0, 0, 1 },
    };

    /// <summary>Rotation from the quaternion (b, c, d; a recovered), scaled by pixdim with qfac on z, plus the offsets.</summary>
    public static double[,] QformAffine(NiftiHeader h)
    {
        double b = h.QuaternB, c = h.QuaternC, d = h.QuaternD;
        double aa = 1.0 - (b * b + c * c + d * d);
        double a;
        if (aa < 1e-7) // a is ~0: renormalise (b, c, d) as the standard's reference code does
        {
            double n = Math.Sqrt(b * b + c * c + d * d);
            if (n > 0) { b /= n; c /= n; d /= n; }
            a = 0;
        }
        else a = Math.Sqrt(aa);
        double qfac = h.PixDim[0] < 0 ? -1 : 1;
        double x = h.PixDim[1], y = h.PixDim[2], z = h.PixDim[3] * qfac;
        return new double[,]
        {
            { (a * a + b * b - c * c - d * d) * x, 2 * (b * c - a * d) * y, 2 * (b * d + a * c) * z, h.QOffsetX },
            { 2 * (b * c + a * d) * x, (a * a + c * c - b * b - d * d) * y, 2 * (c * d - a * b) * z, h.QOffsetY },
            { 2 * (b * d - a * c) * x, 2 * (c * d + a * b) * y, (a * a + d * d - c * c - b * b) * z, h.QOffsetZ },
            { 0, 0, 0, 1 },
        };
    }

    /// <summary>nibabel's fallback (shape_zoom_affine with x flipped): voxel sizes on the diagonal, origin at the volume centre.</summary>
    public static double[,] BaseAffine(NiftiHeader h)
    {
        var result = new double[4, 4];
        result[3, 3] = 1;
        for (int i = 0; i < 3; i++)
        {
            bool present = i < h.Rank;
            double size = present ? h.Dim[i + 1] : 1;
            double zoom = present ? h.PixDim[i + 1] : 1;
            if (i == 0) zoom = -zoom;
            result[i, i] = zoom;
            result[i, 3] = -(size - 1) / 2.0 * zoom;
        }
        return result;
    }

    /// <summary>Largest origin difference (mm) two images of one grid may show: float32 header rounding is far below it.</summary>
    public const double OriginTolerance = 1e-3;

    /// <summary>Largest difference of a direction cosine two images of one grid may show.</summary>
    public const double DirectionTolerance = 1e-4;

    /// <summary>
    /// Null when <paramref name="a"/> and <paramref name="b"/> place their voxels at the same world positions (origin and
    /// axis directions of <see cref="BestAffine"/> within the tolerances); otherwise what differs, naming them
    /// <paramref name="nameA"/> and <paramref name="nameB"/>. Voxel sizes are the spacing check's business.
    /// </summary>
    public static string? Mismatch(NiftiHeader a, NiftiHeader b, string nameA, string nameB)
    {
        var x = BestAffine(a);
        var y = BestAffine(b);
        double shift = Math.Sqrt(Enumerable.Range(0, 3).Sum(r => (x[r, 3] - y[r, 3]) * (x[r, 3] - y[r, 3])));
        if (!(shift <= OriginTolerance))
            return $"{nameA} origin ({Origin(x)}) differs from {nameB} origin ({Origin(y)}) by {shift:G4} mm";
        for (int c = 0; c < 3; c++)
        {
            double nx = Norm(x, c), ny = Norm(y, c);
            for (int r = 0; r < 3; r++)
            {
                double dx = nx > 0 ? x[r, c] / nx : 0, dy = ny > 0 ? y[r, c] / ny : 0;
                if (!(Math.Abs(dx - dy) <= DirectionTolerance))
                    return $"{nameA} orientation differs from {nameB} orientation (voxel axis {c} points along ({Direction(x, c, nx)}) vs ({Direction(y, c, ny)}))";
            }
        }
        return null;
    }

    static double Norm(double[,] m, int c) => Math.Sqrt(m[0, c] * m[0, c] + m[1, c] * m[1, c] + m[2, c] * m[2, c]);

    static string Origin(double[,] m) => string.Join(", ", Enumerable.Range(0, 3).Select(r => m[r, 3].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));

    static string Direction(double[,] m, int c, double norm) =>
        string.Join(", ", Enumerable.Range(0, 3).Select(r => (norm > 0 ? m[r, c] / norm : 0).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)));
}
