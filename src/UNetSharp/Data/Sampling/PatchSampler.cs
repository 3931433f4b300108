namespace UNetSharp.Data.Sampling;

/// <summary>
/// Cuts random patches of a fixed size with nnU-Net's foreground oversampling: a forced patch is centred (as far
/// as the case allows) on a random voxel of a random class present in the case, so rare small structures are
/// seen often enough. Cases smaller than the patch are padded symmetrically.
/// </summary>
public sealed class PatchSampler
{
    public PatchSampler(int[] patchSize, double foregroundRatio = 1.0 / 3, ImagePadding padding = ImagePadding.Zero)
    {
        if (patchSize.Length is < 2 or > 3 || patchSize.Any(p => p <= 0)) throw new ConfigurationException($"patch size [{string.Join(",", patchSize)}] must be 2D or 3D and positive");
        if (foregroundRatio is < 0 or > 1) throw new ConfigurationException($"foreground ratio {foregroundRatio} must be in [0, 1]");
        PatchSize = (int[])patchSize.Clone(); ForegroundRatio = foregroundRatio; Padding = padding;
    }

    public int[] PatchSize { get; }
    public double ForegroundRatio { get; }
    public ImagePadding Padding { get; }

    /// <summary>
    /// Forces foreground with probability <see cref="ForegroundRatio"/> per patch (nnU-Net's probabilistic variant:
    /// unlike "the last third of each batch" it also works for batch size 1 or 2).
    /// </summary>
    public Patch Sample(SegmentationCase c, Random random) => Sample(c, random, random.NextDouble() < ForegroundRatio);

    public Patch Sample(SegmentationCase c, Random random, bool forceForeground)
    {
        if (c.Dimensions != PatchSize.Length) throw new ConfigurationException($"{c.Id}: {c.Dimensions}D case but a {PatchSize.Length}D patch size");
        int dims = c.Dimensions;
        var lower = new int[dims];
        var upper = new int[dims];
        for (int a = 0; a < dims; a++)
        {
            int need = Math.Max(0, PatchSize[a] - c.Shape[a]);
            lower[a] = -need / 2;
            upper[a] = c.Shape[a] + need / 2 + need % 2 - PatchSize[a];
        }

        var start = new int[dims];
        var classes = forceForeground ? ForegroundLocations.Of(c).ByClass : null;
        bool forced = classes is { Count: > 0 };
        if (forced)
        {
            var voxels = classes!.Values.ElementAt(random.Next(classes.Count));
            long index = voxels[random.Next(voxels.Length)];
            for (int a = dims - 1; a >= 0; a--)
            {
                int coord = (int)(index % c.Shape[a]);
                index /= c.Shape[a];
                start[a] = Math.Clamp(coord - PatchSize[a] / 2, lower[a], upper[a]);
            }
        }
        else
        {
            for (int a = 0; a < dims; a++) start[a] = random.Next(lower[a], upper[a] + 1);
        }
        return Extract(c, start, forced);
    }

    /// <summary>Copies the patch starting at <paramref name="start"/>; voxels outside the case are padded.</summary>
    public Patch Extract(SegmentationCase c, int[] start, bool forcedForeground = false)
    {
        int[] shape = Pad3(c.Shape, 1), size = Pad3(PatchSize, 1), from = Pad3(start, 0);
        long patchVoxels = (long)size[0] * size[1] * size[2];
        var image = new float[c.Channels * patchVoxels];
        var label = new int[patchVoxels];
        var lo = new int[3];
        var hi = new int[3];
        bool inside = true;
        for (int a = 0; a < 3; a++)
        {
            lo[a] = Math.Max(0, from[a]);
            hi[a] = Math.Min(shape[a], from[a] + size[a]);
            inside &= lo[a] == from[a] && hi[a] == from[a] + size[a];
        }
        if (!inside && Padding == ImagePadding.Minimum)
            for (int ch = 0; ch < c.Channels; ch++)
                Array.Fill(image, ChannelMinimum(c, ch), (int)(ch * patchVoxels), (int)patchVoxels);

        int rowLength = hi[2] - lo[2];
        if (rowLength > 0)
            for (int z = lo[0]; z < hi[0]; z++)
                for (int y = lo[1]; y < hi[1]; y++)
                {
                    long src = ((long)z * shape[1] + y) * shape[2] + lo[2];
                    long dst = ((long)(z - from[0]) * size[1] + (y - from[1])) * size[2] + (lo[2] - from[2]);
                    for (int ch = 0; ch < c.Channels; ch++)
                        Array.Copy(c.Image, ch * c.Voxels + src, image, ch * patchVoxels + dst, rowLength);
                    if (c.Label is not null) Array.Copy(c.Label, src, label, dst, rowLength);
                }
        return new Patch(c.Id, image, c.Channels, label, (int[])start.Clone(), forcedForeground);
    }

    private static float ChannelMinimum(SegmentationCase c, int channel)
    {
        var span = c.Image.AsSpan(checked((int)(channel * c.Voxels)), checked((int)c.Voxels));
        float min = float.PositiveInfinity;
        foreach (var v in span) min = Math.Min(min, v);
        return min;
    }

    private static int[] Pad3(int[] v, int fill) => v.Length == 3 ? v : [fill, .. v];
}
