using System.Buffers.Binary;
using System.Globalization;

namespace UNetSharp.IO.Dicom;

/// <summary>
/// A DICOM image series as one volume: frames (single- or multi-frame files) sorted along the slice normal, rescale
/// slope/intercept applied, and the voxel-to-world affine that dicom2nifti writes (LPS → RAS: x and y negated; voxel i
/// along a row, j down the columns, k through the slices sorted along the normal (row x column cosines), in the direction in which InstanceNumber ascends,
/// as dicom2nifti's references have it). What a regular grid cannot represent is refused with a <see cref="DataFormatException"/> naming the tag:
/// gantry tilt, non-uniform slice spacing, missing slices, mixed orientations, sizes or pixel spacings, colour images.
/// </summary>
public static class DicomSeries
{
    /// <summary>Largest deviation of a slice gap from the smallest gap accepted, relative (1 %), beyond 1e-3 mm.</summary>
    public const double SpacingTolerance = 0.01;

    /// <summary>Largest angle between the slice stacking direction and the slice normal accepted, in degrees.</summary>
    public const double TiltToleranceDegrees = 0.2;

    const double OrientationTolerance = 1e-4;

    /// <summary>True when <paramref name="path"/> is a folder holding DICOM files, or a DICOM file (a DICOMDIR or one slice).</summary>
    public static bool IsDicomInput(string path)
    {
        if (File.Exists(path)) return Path.GetFileName(path).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase) || DicomFile.LooksLikeDicom(path);
        return Directory.Exists(path) && DicomFiles(path).Any();
    }

    /// <summary>DICOM Part 10 files under a folder (recursively, as DICOMDIR trees store them), DICOMDIR files excluded.</summary>
    public static IEnumerable<string> DicomFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 8, IgnoreInaccessible = true })
            .Where(f => !Path.GetFileName(f).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase) && DicomFile.LooksLikeDicom(f))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Every image series under <paramref name="path"/> (a series folder, a folder of several series, a DICOMDIR or one
    /// file), grouped by SeriesInstanceUID in UID order. Files without pixel data (DICOMDIR, SR, presentation states) are skipped.
    /// </summary>
    public static IReadOnlyList<(string SeriesUid, IReadOnlyList<DicomFile> Files)> Scan(string path)
    {
        string folder = File.Exists(path) && Path.GetFileName(path).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
        var files = File.Exists(folder) ? [folder] : Directory.Exists(folder) ? DicomFiles(folder).ToList() : throw new DataFormatException(path, "not found");
        if (files.Count == 0) throw new DataFormatException(path, "no DICOM files (none has 'DICM' after a 128-byte preamble)");
        var groups = new SortedDictionary<string, List<DicomFile>>(StringComparer.Ordinal);
        foreach (string f in files)
        {
            var d = DicomFile.Read(f);
            if (!d.HasPixelData) continue;
            string uid = d.Elements.String(DicomTags.SeriesInstanceUid) ?? "";
            if (!groups.TryGetValue(uid, out var list)) groups[uid] = list = [];
            list.Add(d);
        }
        if (groups.Count == 0) throw new DataFormatException(path, "no DICOM image (no file has pixel data (7FE0,0010))");
        return groups.Select(g => (g.Key, (IReadOnlyList<DicomFile>)g.Value)).ToList();
    }

    /// <summary>The one series under <paramref name="path"/>, or the one with <paramref name="seriesUid"/>; refuses several without a choice.</summary>
    public static RasterImage Read(string path, string? seriesUid = null)
    {
        var series = Scan(path);
        if (seriesUid is not null)
        {
            var chosen = series.FirstOrDefault(s => s.SeriesUid == seriesUid);
            if (chosen.Files is null) throw new DataFormatException(path, $"no series with SeriesInstanceUID {seriesUid} (found: {string.Join(", ", series.Select(s => s.SeriesUid))})");
            return Build(path, chosen.Files);
        }
        if (series.Count > 1)
            throw new DataFormatException(path, $"holds {series.Count} series ({string.Join(", ", series.Select(s => s.SeriesUid))}); choose one by SeriesInstanceUID");
        return Build(path, series[0].Files);
    }

    sealed record Frame(DicomFile File, int Index, double[] Position, double[] Orientation, double[] Spacing, double Slope, double Intercept);

    /// <summary>One series' files as a [D, H, W] volume with a NIfTI header carrying dicom2nifti's affine.</summary>
    public static RasterImage Build(string path, IReadOnlyList<DicomFile> files)
    {
        var frames = new List<Frame>();
        var first = files[0];
        var e0 = first.Elements;
        int rows = Required(e0.UShort(DicomTags.Rows, first.Path), DicomTags.Rows, first.Path);
        int columns = Required(e0.UShort(DicomTags.Columns, first.Path), DicomTags.Columns, first.Path);
        int bits = Required(e0.UShort(DicomTags.BitsAllocated, first.Path), DicomTags.BitsAllocated, first.Path);
        foreach (var file in files)
        {
            var e = file.Elements;
            string p = file.Path;
            int samples = e.UShort(DicomTags.SamplesPerPixel, p) ?? 1;
            if (samples != 1) throw new DataFormatException(p, $"SamplesPerPixel (0028,0002) is {samples}; only greyscale series (1 sample) are supported");
            int r = Required(e.UShort(DicomTags.Rows, p), DicomTags.Rows, p), c = Required(e.UShort(DicomTags.Columns, p), DicomTags.Columns, p);
            if (r != rows || c != columns) throw new DataFormatException(p, $"Rows x Columns (0028,0010/0011) {r}x{c} differs from {rows}x{columns} of {Path.GetFileName(first.Path)}: mixed sizes in one series");
            int b = Required(e.UShort(DicomTags.BitsAllocated, p), DicomTags.BitsAllocated, p);
            if (b != bits) throw new DataFormatException(p, $"BitsAllocated (0028,0100) {b} differs from {bits} of {Path.GetFileName(first.Path)}");
            if (bits is not (8 or 16 or 32)) throw new DataFormatException(p, $"BitsAllocated (0028,0100) {bits} is not supported (8, 16 or 32)");
            double tilt = e.Number(DicomTags.GantryDetectorTilt, p) ?? 0;
            if (Math.Abs(tilt) > 1e-6)
                throw new DataFormatException(p, $"GantryDetectorTilt (0018,1120) is {tilt.ToString(CultureInfo.InvariantCulture)} degrees: a gantry-tilted series has sheared slices that a NIfTI grid cannot represent without resampling; reconstruct it untilted");
            long frameCount = e.Number(DicomTags.NumberOfFrames, p) is double n ? (long)n : 1;
            if (frameCount < 1) throw new DataFormatException(p, $"NumberOfFrames (0028,0008) is {frameCount}");
            long frameBytes = (long)rows * columns * (bits / 8);
            if (frameCount > Array.MaxLength / frameBytes)
                throw new DataFormatException(p, $"NumberOfFrames (0028,0008) {frameCount} x {rows}x{columns} x {bits / 8} bytes exceeds the largest volume we read (2 GiB)");
            if (!file.Encapsulated && file.PixelLength < frameCount * frameBytes)
                throw new DataFormatException(p, $"pixel data (7FE0,0010) holds {file.PixelLength} bytes, fewer than NumberOfFrames (0028,0008) {frameCount} x Rows {rows} x Columns {columns} x {bits / 8} bytes");
            var shared = e.Items(DicomTags.SharedFunctionalGroups).FirstOrDefault();
            var perFrame = e.Items(DicomTags.PerFrameFunctionalGroups);
            if (perFrame.Count > 0 && perFrame.Count != frameCount)
                throw new DataFormatException(p, $"PerFrameFunctionalGroupsSequence (5200,9230) has {perFrame.Count} items for NumberOfFrames (0028,0008) {frameCount}");
            for (int k = 0; k < frameCount; k++)
            {
                var own = perFrame.Count > 0 ? perFrame[k] : null;
                double[]? Find(uint sequence, uint tag)
                {
                    foreach (var group in new[] { own, shared })
                        if (group?.Items(sequence).FirstOrDefault()?.Numbers(tag, p) is { } v) return v;
                    return null;
                }
                var orientation = Find(DicomTags.PlaneOrientationSequence, DicomTags.ImageOrientationPatient) ?? e.Numbers(DicomTags.ImageOrientationPatient, p)
                    ?? throw new DataFormatException(p, "no ImageOrientationPatient (0020,0037): the slice geometry is unknown");
                if (orientation.Length != 6) throw new DataFormatException(p, $"ImageOrientationPatient (0020,0037) has {orientation.Length} values; expected 6");
                double rowNorm = Dot(orientation[..3], orientation[..3]), colNorm = Dot(orientation[3..], orientation[3..]);
                if (Math.Abs(rowNorm - 1) > 1e-3 || Math.Abs(colNorm - 1) > 1e-3 || Math.Abs(Dot(orientation[..3], orientation[3..])) > 1e-3)
                    throw new DataFormatException(p, $"ImageOrientationPatient (0020,0037) [{Join(orientation)}] is not two orthogonal unit vectors");
                var spacing = Find(DicomTags.PixelMeasuresSequence, DicomTags.PixelSpacing) ?? e.Numbers(DicomTags.PixelSpacing, p)
                    ?? throw new DataFormatException(p, "no PixelSpacing (0028,0030)");
                if (spacing.Length != 2 || !(spacing[0] > 0) || !(spacing[1] > 0)) throw new DataFormatException(p, $"PixelSpacing (0028,0030) '{string.Join('\\', spacing)}' is not two positive numbers");
                var position = Find(DicomTags.PlanePositionSequence, DicomTags.ImagePositionPatient);
                if (position is null)
                {
                    position = e.Numbers(DicomTags.ImagePositionPatient, p) ?? throw new DataFormatException(p, "no ImagePositionPatient (0020,0032): the slice position is unknown");
                    if (frameCount > 1)
                    {
                        double gap = e.Number(DicomTags.SpacingBetweenSlices, p) ?? throw new DataFormatException(p, "multi-frame file without per-frame positions (5200,9230) or SpacingBetweenSlices (0018,0088)");
                        var nrm = Normal(orientation);
                        position = position.Length == 3 ? [position[0] + k * gap * nrm[0], position[1] + k * gap * nrm[1], position[2] + k * gap * nrm[2]] : position;
                    }
                }
                if (position.Length != 3) throw new DataFormatException(p, $"ImagePositionPatient (0020,0032) has {position.Length} values; expected 3");
                double slope = Find(DicomTags.PixelValueTransformationSequence, DicomTags.RescaleSlope)?[0] ?? e.Number(DicomTags.RescaleSlope, p) ?? 1;
                double intercept = Find(DicomTags.PixelValueTransformationSequence, DicomTags.RescaleIntercept)?[0] ?? e.Number(DicomTags.RescaleIntercept, p) ?? 0;
                frames.Add(new Frame(file, k, position, orientation, spacing, slope, intercept));
            }
        }

        var o = frames[0].Orientation;
        foreach (var f in frames)
        {
            if (f.Orientation.Zip(o).Any(z => Math.Abs(z.First - z.Second) > OrientationTolerance))
                throw new DataFormatException(f.File.Path, $"ImageOrientationPatient (0020,0037) [{Join(f.Orientation)}] differs from [{Join(o)}] of {Path.GetFileName(frames[0].File.Path)}: mixed orientations in one series");
            if (f.Spacing.Zip(frames[0].Spacing).Any(z => Math.Abs(z.First - z.Second) > 1e-4))
                throw new DataFormatException(f.File.Path, $"PixelSpacing (0028,0030) [{Join(f.Spacing)}] differs from [{Join(frames[0].Spacing)}]: mixed pixel spacings in one series");
        }
        var normal = Normal(o);
        var sorted = frames.OrderBy(f => Dot(f.Position, normal)).ToList();
        if (sorted.Count > 1)
        {
            // the direction along the normal: as the acquisition numbered the slices (InstanceNumber ascending, which is
            // what dicom2nifti's references show for GE sagittal, generic and Hitachi oblique series), else ascending
            if (sorted[0].File != sorted[^1].File && Instance(sorted[0]) is double a && Instance(sorted[^1]) is double b && a > b) sorted.Reverse();
            CheckSpacing(sorted, normal);
        }
        double[] step = sorted.Count > 1 ? Sub(sorted[^1].Position, sorted[0].Position).Select(v => v / (sorted.Count - 1)).ToArray() : normal.Select(v => v * (first.Elements.Number(DicomTags.SliceThickness, first.Path) ?? 1)).ToArray();
        double sliceSpacing = Math.Sqrt(Dot(step, step));

        // pixels
        long frameVoxels = (long)rows * columns;
        if (frameVoxels * sorted.Count > Array.MaxLength) throw new DataFormatException(path, $"{sorted.Count} slices of {rows}x{columns} exceed the largest volume we read");
        var data = new float[frameVoxels * sorted.Count];
        var decoded = new Dictionary<DicomFile, byte[]>();
        for (int z = 0; z < sorted.Count; z++)
        {
            var f = sorted[z];
            var e = f.File.Elements;
            bool signed = (e.UShort(DicomTags.PixelRepresentation, f.File.Path) ?? 0) == 1;
            int stored = e.UShort(DicomTags.BitsStored, f.File.Path) ?? bits;
            if (stored < 1 || stored > bits) throw new DataFormatException(f.File.Path, $"BitsStored (0028,0101) {stored} is outside 1..BitsAllocated {bits}");
            ReadOnlySpan<byte> pixels;
            long frameBytes = frameVoxels * (bits / 8);
            if (f.File.Encapsulated)
            {
                if (!decoded.TryGetValue(f.File, out var buffer)) decoded[f.File] = buffer = GdcmCodec.Decode(f.File.Path);
                if (buffer.LongLength < (f.Index + 1) * frameBytes)
                    throw new DataFormatException(f.File.Path, $"decoded pixel data hold {buffer.LongLength} bytes, fewer than frame {f.Index + 1} of {rows}x{columns} x {bits / 8} bytes needs");
                pixels = buffer.AsSpan((int)(f.Index * frameBytes), (int)frameBytes);
            }
            else
            {
                var bytes = decoded.TryGetValue(f.File, out var raw) ? raw : decoded[f.File] = ReadPixels(f.File);
                pixels = bytes.AsSpan((int)(f.Index * frameBytes), (int)frameBytes);
            }
            Convert(pixels, data.AsSpan((int)(z * frameVoxels), (int)frameVoxels), bits, stored, signed, f.Slope, f.Intercept);
        }

        var header = new NiftiHeader();
        header.Dim[0] = 3; header.Dim[1] = columns; header.Dim[2] = rows; header.Dim[3] = sorted.Count;
        for (int i = 4; i < 8; i++) header.Dim[i] = 1;
        header.PixDim[0] = 1; header.PixDim[1] = frames[0].Spacing[1]; header.PixDim[2] = frames[0].Spacing[0]; header.PixDim[3] = sliceSpacing;
        for (int i = 4; i < 8; i++) header.PixDim[i] = 1;
        header.DataType = (short)NiftiDataType.Float32; header.BitPix = 32; header.SclSlope = 1;
        header.VoxOffset = header.HeaderSize + 4;
        header.XyztUnits = 2; // mm
        var affine = Affine(o, frames[0].Spacing, sorted[0].Position, step);
        header.SformCode = 1; // scanner anatomical
        header.SRowX = Row(affine, 0); header.SRowY = Row(affine, 1); header.SRowZ = Row(affine, 2);
        SetQform(header, affine);
        int bitDepth = Math.Min(bits, 16);
        return new RasterImage(data, 1, [sorted.Count, rows, columns], bitDepth, [sliceSpacing, frames[0].Spacing[0], frames[0].Spacing[1]]) { Header = header };
    }

    /// <summary>dicom2nifti's affine: columns (row cosine x column spacing, column cosine x row spacing, slice step), LPS → RAS.</summary>
    public static double[,] Affine(double[] orientation, double[] pixelSpacing, double[] firstPosition, double[] step)
    {
        var a = new double[4, 4];
        for (int r = 0; r < 3; r++)
        {
            double sign = r < 2 ? -1 : 1;
            a[r, 0] = sign * orientation[r] * pixelSpacing[1];
            a[r, 1] = sign * orientation[3 + r] * pixelSpacing[0];
            a[r, 2] = sign * step[r];
            a[r, 3] = sign * firstPosition[r];
        }
        a[3, 3] = 1;
        return a;
    }

    static void CheckSpacing(List<Frame> sorted, double[] normal)
    {
        var path = sorted[0].File.Path;
        var span = Sub(sorted[^1].Position, sorted[0].Position);
        double length = Math.Sqrt(Dot(span, span));
        for (int i = 1; i < sorted.Count; i++)
        {
            if (Dist(sorted[i].Position, sorted[i - 1].Position) < 1e-4)
                throw new DataFormatException(sorted[i].File.Path, $"ImagePositionPatient (0020,0032) [{Join(sorted[i].Position)}] repeats that of {Path.GetFileName(sorted[i - 1].File.Path)}: two slices at one position (duplicate or multi-volume series)");
        }
        double cosine = Math.Abs(Dot(span, normal)) / length;
        double angle = Math.Acos(Math.Min(1, cosine)) * 180 / Math.PI;
        if (angle > TiltToleranceDegrees)
            throw new DataFormatException(path, $"slices are stacked {angle.ToString("F2", CultureInfo.InvariantCulture)} degrees off the slice normal (ImagePositionPatient (0020,0032) vs ImageOrientationPatient (0020,0037)): a gantry-tilted or sheared series cannot be represented without resampling; GantryDetectorTilt (0018,1120) {sorted[0].File.Elements.String(DicomTags.GantryDetectorTilt) ?? "absent"}");
        var gaps = Enumerable.Range(1, sorted.Count - 1).Select(i => Dist(sorted[i].Position, sorted[i - 1].Position)).ToList();
        double smallest = gaps.Min();
        for (int i = 0; i < gaps.Count; i++)
        {
            if (Math.Abs(gaps[i] - smallest) <= Math.Max(1e-3, SpacingTolerance * smallest)) continue;
            double ratio = gaps[i] / smallest;
            string where = $"between {Path.GetFileName(sorted[i].File.Path)} and {Path.GetFileName(sorted[i + 1].File.Path)}";
            if (Math.Abs(ratio - Math.Round(ratio)) < 0.05 && Math.Round(ratio) >= 2)
                throw new DataFormatException(sorted[i + 1].File.Path, $"missing slice(s) {where}: gap {gaps[i].ToString("G4", CultureInfo.InvariantCulture)} mm is {Math.Round(ratio)} x the {smallest.ToString("G4", CultureInfo.InvariantCulture)} mm slice spacing (ImagePositionPatient (0020,0032))");
            throw new DataFormatException(sorted[i + 1].File.Path, $"non-uniform slice spacing {where}: gap {gaps[i].ToString("G4", CultureInfo.InvariantCulture)} mm vs {smallest.ToString("G4", CultureInfo.InvariantCulture)} mm (ImagePositionPatient (0020,0032)), beyond the {SpacingTolerance:P0} tolerance");
        }
    }

    static byte[] ReadPixels(DicomFile file)
    {
        try
        {
            using var s = File.OpenRead(file.Path);
            s.Position = file.PixelOffset;
            var buffer = new byte[file.PixelLength];
            s.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataFormatException(file.Path, $"cannot read pixel data ({e.Message})", e); }
    }

    static void Convert(ReadOnlySpan<byte> pixels, Span<float> into, int bits, int stored, bool signed, double slope, double intercept)
    {
        int shift = 32 - stored;
        for (int i = 0; i < into.Length; i++)
        {
            long raw = bits switch
            {
                8 => pixels[i],
                16 => BinaryPrimitives.ReadUInt16LittleEndian(pixels[(2 * i)..]),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(pixels[(4 * i)..]),
            };
            long value = signed ? ((int)((uint)raw << shift)) >> shift : (long)(((uint)raw << shift) >> shift);
            into[i] = (float)(value * slope + intercept);
        }
    }

    /// <summary>qform from the affine's rotation (the standard's mat44_to_quatern for an orthonormal matrix).</summary>
    static void SetQform(NiftiHeader h, double[,] a)
    {
        var col = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            double n = Math.Sqrt(a[0, c] * a[0, c] + a[1, c] * a[1, c] + a[2, c] * a[2, c]);
            col[c] = [a[0, c] / n, a[1, c] / n, a[2, c] / n];
        }
        double det = col[0][0] * (col[1][1] * col[2][2] - col[2][1] * col[1][2]) - col[1][0] * (col[0][1] * col[2][2] - col[2][1] * col[0][2]) + col[2][0] * (col[0][1] * col[1][2] - col[1][1] * col[0][2]);
        double qfac = det < 0 ? -1 : 1;
        if (qfac < 0) col[2] = [-col[2][0], -col[2][1], -col[2][2]];
        double r11 = col[0][0], r12 = col[1][0], r13 = col[2][0], r21 = col[0][1], r22 = col[1][1], r23 = col[2][1], r31 = col[0][2], r32 = col[1][2], r33 = col[2][2];
        double qa = r11 + r22 + r33 + 1, qb, qc, qd;
        if (qa > 0.5) { qa = 0.5 * Math.Sqrt(qa); qb = 0.25 * (r32 - r23) / qa; qc = 0.25 * (r13 - r31) / qa; qd = 0.25 * (r21 - r12) / qa; }
        else
        {
            double xd = 1 + r11 - (r22 + r33), yd = 1 + r22 - (r11 + r33), zd = 1 + r33 - (r11 + r22);
            if (xd > 1) { qb = 0.5 * Math.Sqrt(xd); qc = 0.25 * (r12 + r21) / qb; qd = 0.25 * (r13 + r31) / qb; qa = 0.25 * (r32 - r23) / qb; }
            else if (yd > 1) { qc = 0.5 * Math.Sqrt(yd); qb = 0.25 * (r12 + r21) / qc; qd = 0.25 * (r23 + r32) / qc; qa = 0.25 * (r13 - r31) / qc; }
            else { qd = 0.5 * Math.Sqrt(zd); qb = 0.25 * (r13 + r31) / qd; qc = 0.25 * (r23 + r32) / qd; qa = 0.25 * (r21 - r12) / qd; }
            if (qa < 0) { qb = -qb; qc = -qc; qd = -qd; }
        }
        h.QformCode = 1;
        h.QuaternB = qb; h.QuaternC = qc; h.QuaternD = qd;
        h.QOffsetX = a[0, 3]; h.QOffsetY = a[1, 3]; h.QOffsetZ = a[2, 3];
        h.PixDim[0] = qfac;
    }

    static double? Instance(Frame f)
    {
        try { return f.File.Elements.Number(DicomTags.InstanceNumber, f.File.Path); }
        catch (DataFormatException) { return null; }
    }

    static int Required(int? value, uint tag, string path) =>
        value is int v and > 0 ? v : throw new DataFormatException(path, $"{DicomTags.Name(tag)} {DicomFile.TagText(tag)} is {(value is null ? "missing" : value.ToString())}");

    static double[] Normal(double[] o) => [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
    static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    static double[] Sub(double[] a, double[] b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    static double Dist(double[] a, double[] b) { var d = Sub(a, b); return Math.Sqrt(Dot(d, d)); }
    static double[] Row(double[,] a, int r) => [a[r, 0], a[r, 1], a[r, 2], a[r, 3]];
    static string Join(double[] v) => string.Join(", ", v.Select(x => x.ToString("G6", CultureInfo.InvariantCulture)));
}
