using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Onnx;

/// <summary>Largest absolute differences between an exported model and the network it came from, on one random input.</summary>
public sealed record OnnxComparison(double MaxLogitsDifference, double? MaxPresenceDifference, long[] InputShape);

/// <summary>Checks an exported model against TorchSharp's eval-mode <see cref="SegmentationNetwork.Forward"/> at the same depth.</summary>
public static class OnnxVerification
{
    /// <param name="spatial">Input size; a multiple of 2^L (the TorchSharp network checks that), e.g. the plan's patch size.</param>
    public static OnnxComparison Compare(SegmentationNetwork network, int depth, string onnxPath, IReadOnlyList<long> spatial, int batch = 1, int seed = 0, int? threads = null)
    {
        long[] shape = new long[] { batch, network.Config.InChannels }.Concat(spatial).ToArray();
        using var scope = NewDisposeScope();
        var image = randn(shape, generator: new Generator((ulong)seed));
        bool training = network.training;
        network.eval();
        SegmentationOutput expected;
        try
        {
            using var noGrad = no_grad();
            expected = network.Forward(image, depth);
        }
        finally
        {
            if (training) network.train();
        }

        using var onnx = new OnnxInference(onnxPath, threads);
        var actual = onnx.Run(image.data<float>().ToArray(), shape);
        double logits = MaxDifference(expected.Logits, actual.Logits);
        double? presence = expected.GatingPresenceLogits is { } p && actual.Presence is { } q ? MaxDifference(p, q) : null;
        if ((expected.GatingPresenceLogits is null) != (actual.Presence is null))
            throw new InvalidOperationException($"{onnxPath}: presence output {(actual.Presence is null ? "missing" : "unexpected")}");
        return new OnnxComparison(logits, presence, shape);
    }

    static double MaxDifference(Tensor expected, float[] actual)
    {
        var values = expected.detach().contiguous().data<float>().ToArray();
        if (values.Length != actual.Length) throw new InvalidOperationException($"ONNX output has {actual.Length} values, TorchSharp {values.Length}");
        double max = 0;
        for (int k = 0; k < values.Length; k++) max = Math.Max(max, Math.Abs(values[k] - actual[k]));
        return max;
    }
}
