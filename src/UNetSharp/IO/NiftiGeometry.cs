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
}
