using System.Globalization;
using System.Text;
using UNetSharp.IO;

namespace UNetSharp.Instances;

/// <summary>One instance's measurements. Coordinates are voxel indices, slowest axis first ([y, x] or [z, y, x]).</summary>
public sealed record InstanceRow(int Id, long Voxels, double Size, double[] Centroid, int[] BoxMin, int[] BoxMax, double MeanIntensity, double Score);

/// <summary>
/// Per-instance table of an instance map: voxel count, area (2D) or volume (3D) in physical units (voxel count ×
/// product of the spacing; PNG/TIFF spacing is 1, so pixels), centroid and inclusive bounding box in voxel indices,
/// mean intensity of the first input channel as read, and score = mean interior probability over the instance.
/// </summary>
public static class InstanceTable
{
    public static IReadOnlyList<InstanceRow> Measure(ReadOnlySpan<int> instances, int[] shape, double[] spacing, ReadOnlySpan<float> intensity, ReadOnlySpan<float> interior)
    {
        int dims = shape.Length;
        int n = 0;
        foreach (int id in instances) n = Math.Max(n, id);
        var voxels = new long[n + 1];
        var sums = new double[n + 1, dims];
        var min = new int[n + 1, dims];
        var max = new int[n + 1, dims];
        var intensitySum = new double[n + 1];
        var scoreSum = new double[n + 1];
        for (int id = 0; id <= n; id++) for (int a = 0; a < dims; a++) { min[id, a] = int.MaxValue; max[id, a] = -1; }
        Span<int> coordinate = stackalloc int[dims];
        for (int v = 0; v < instances.Length; v++)
        {
            int id = instances[v];
            if (id == 0) continue;
            for (int a = dims - 1, rest = v; a >= 0; a--) { coordinate[a] = rest % shape[a]; rest /= shape[a]; }
            voxels[id]++;
            for (int a = 0; a < dims; a++)
            {
                sums[id, a] += coordinate[a];
                min[id, a] = Math.Min(min[id, a], coordinate[a]);
                max[id, a] = Math.Max(max[id, a], coordinate[a]);
            }
            intensitySum[id] += intensity[v];
            scoreSum[id] += interior[v];
        }
        double voxelSize = spacing.Aggregate(1.0, (a, b) => a * b);
        var rows = new List<InstanceRow>();
        for (int id = 1; id <= n; id++)
        {
            if (voxels[id] == 0) continue;
            long count = voxels[id];
            rows.Add(new InstanceRow(id, count, count * voxelSize,
                Enumerable.Range(0, dims).Select(a => sums[id, a] / count).ToArray(),
                Enumerable.Range(0, dims).Select(a => min[id, a]).ToArray(),
                Enumerable.Range(0, dims).Select(a => max[id, a]).ToArray(),
                intensitySum[id] / count, scoreSum[id] / count));
        }
        return rows;
    }

    /// <summary>CSV with columns id, voxels, area|volume, centroid_&lt;axis&gt;, min_&lt;axis&gt;, max_&lt;axis&gt;, mean_intensity, score.</summary>
    public static string ToCsv(IReadOnlyList<InstanceRow> rows, int dims)
    {
        string[] axes = dims == 3 ? ["z", "y", "x"] : ["y", "x"];
        var csv = new StringBuilder();
        csv.Append("id,voxels,").Append(dims == 3 ? "volume" : "area");
        foreach (string prefix in new[] { "centroid", "min", "max" }) foreach (string axis in axes) csv.Append(',').Append(prefix).Append('_').Append(axis);
        csv.Append(",mean_intensity,score\n");
        var c = CultureInfo.InvariantCulture;
        foreach (var r in rows)
        {
            csv.Append(r.Id.ToString(c)).Append(',').Append(r.Voxels.ToString(c)).Append(',').Append(r.Size.ToString("G6", c));
            foreach (double v in r.Centroid) csv.Append(',').Append(v.ToString("F2", c));
            foreach (int v in r.BoxMin) csv.Append(',').Append(v.ToString(c));
            foreach (int v in r.BoxMax) csv.Append(',').Append(v.ToString(c));
            csv.Append(',').Append(r.MeanIntensity.ToString("G6", c)).Append(',').Append(r.Score.ToString("F4", c)).Append('\n');
        }
        return csv.ToString();
    }

    public static void WriteCsv(string path, IReadOnlyList<InstanceRow> rows, int dims) => AtomicFile.WriteAllText(path, ToCsv(rows, dims));
}
