using TorchSharp;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Models.Weights;
using UNetSharp.Planning;
using UNetSharp.Tests.Models;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference.Jobs;

/// <summary>Tiny run folders (network + plan.json + best.ckpt) and synthetic inputs for the prediction-job tests.</summary>
public static class PredictionTestFiles
{
    /// <summary>Writes a run folder for a tiny network with random weights and non-trivial batch-norm statistics
    /// (so folding changes the weights); also model.safetensors with the same weights.</summary>
    public static string RunFolder(string dir, NetworkConfig config, IReadOnlyList<int> patch, IReadOnlyList<int>? classValues = null,
        ChannelNormalization? normalization = null, LayoutOptions? layout = null, int seed = 3, Action<SegmentationNetwork>? adjust = null)
    {
        Directory.CreateDirectory(dir);
        manual_seed(seed);
        using var net = new SegmentationNetwork(config);
        using (no_grad())
            foreach (var (_, module) in net.named_modules())
                if (module is TorchSharp.Modules.BatchNorm bn)
                {
                    bn.running_mean!.uniform_(-0.3, 0.3);
                    bn.running_var!.uniform_(0.5, 2.0);
                    bn.weight!.uniform_(0.5, 1.5);
                    bn.bias!.uniform_(-0.2, 0.2);
                }
        adjust?.Invoke(net);
        var plan = new ExperimentPlan
        {
            Network = config, PatchSize = patch.ToArray(),
            Normalization = Enumerable.Repeat(normalization ?? new ChannelNormalization(NormalizationKind.ZScore), config.InChannels).ToList(),
            ClassValues = (classValues ?? (config.Classes == 1 ? [0, 1] : Enumerable.Range(0, config.Classes).ToArray())).ToArray(),
            Layout = layout ?? LayoutOptions.Default,
        };
        plan.Save(dir);
        var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, System.Text.Encoding.UTF8, leaveOpen: true)) net.save(writer);
        CheckpointFile.Write(Path.Combine(dir, Trainer.BestCheckpointName), new Checkpoint
        {
            Network = config, Training = new TrainingConfig(), State = new TrainingState(),
            Weights = weights.ToArray(), OptimizerState = [], TorchRngState = [],
        });
        ModelWeights.Save(net, Path.Combine(dir, "model.safetensors"));
        return dir;
    }

    public static NetworkConfig Tiny(int dims, int depth = 2, int classes = 1, int inChannels = 1) =>
        TinyNets.Config(dims: dims, depth: depth, classes: classes, inChannels: inChannels);

    /// <summary>An anisotropic (0.7 x 0.9 x 3.0 mm), obliquely oriented int16 volume, sizes x, y, z, with both qform and sform set.</summary>
    public static NiftiHeader ObliqueHeader(int x, int y, int z)
    {
        var h = new NiftiHeader { DataType = (short)NiftiDataType.Int16, BitPix = 16 };
        h.Dim[0] = 3; h.Dim[1] = x; h.Dim[2] = y; h.Dim[3] = z;
        for (int i = 4; i < 8; i++) h.Dim[i] = 1;
        h.PixDim[0] = -1; h.PixDim[1] = 0.7; h.PixDim[2] = 0.9; h.PixDim[3] = 3.0;
        for (int i = 4; i < 8; i++) h.PixDim[i] = 1;
        h.SclSlope = 1; h.XyztUnits = 2; h.VoxOffset = 352;
        h.QformCode = 1; h.QuaternB = 0.1; h.QuaternC = -0.2; h.QuaternD = 0.3;
        h.QOffsetX = -80.5; h.QOffsetY = 12.25; h.QOffsetZ = 40;
        h.SformCode = 2;
        h.SRowX = [0.68, -0.12, 0.4, -81];
        h.SRowY = [0.1, 0.87, -0.6, 12];
        h.SRowZ = [-0.1, 0.2, 2.9, 39.5];
        "oblique synthetic volume"u8.CopyTo(h.Descrip);
        return h;
    }

    /// <summary>A ball brighter than a noisy background, [z, y, x] C-order as NIfTI stores it.</summary>
    public static short[] Ball(int x, int y, int z, int seed = 1)
    {
        var rng = new Random(seed);
        var v = new short[x * y * z];
        for (int k = 0; k < z; k++)
            for (int j = 0; j < y; j++)
                for (int i = 0; i < x; i++)
                {
                    double d = Math.Pow((i - x / 2.0) / (x / 3.0), 2) + Math.Pow((j - y / 2.0) / (y / 3.0), 2) + Math.Pow((k - z / 2.0) / (z / 3.0), 2);
                    v[(k * y + j) * x + i] = (short)((d < 1 ? 400 : 100) + rng.Next(-30, 30));
                }
        return v;
    }

    public static string WriteOblique(string path, int x = 18, int y = 20, int z = 12)
    {
        NiftiFile.Write(path, new NiftiImage(ObliqueHeader(x, y, z), new byte[4], Ball(x, y, z)));
        return path;
    }

    /// <summary>A gray disk on a dark background; RGBA when <paramref name="rgba"/> (alpha opaque).</summary>
    public static string WritePng(string path, int height, int width, bool rgba = false, int seed = 1)
    {
        var rng = new Random(seed);
        int channels = rgba ? 4 : 1, plane = height * width;
        var data = new float[channels * plane];
        for (int yy = 0; yy < height; yy++)
            for (int xx = 0; xx < width; xx++)
            {
                bool inside = Math.Pow(yy - height / 2.0, 2) + Math.Pow(xx - width / 2.0, 2) < Math.Pow(Math.Min(height, width) / 4.0, 2);
                float g = (inside ? 200 : 40) + rng.Next(0, 20);
                for (int c = 0; c < channels; c++) data[c * plane + yy * width + xx] = c == 3 ? 255 : g;
            }
        PngFile.Write(path, new RasterImage(data, channels, [height, width], 8));
        return path;
    }
}
