using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Models.Topology;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

/// <summary>Tiny networks with hand-set weights whose outputs are known, for the inference tests.</summary>
public static class InferenceNets
{
    public static Dictionary<string, Tensor> Parameters(SegmentationNetwork net) =>
        net.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>Logits equal to <paramref name="logits"/> everywhere, whatever the input: the head's weights are 0, its bias the logits.</summary>
    public static SegmentationNetwork ConstantOutput(int dims, float[] logits, int depth = 3)
    {
        var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: depth, classes: logits.Length));
        var head = SegmentationNetwork.HeadName(net.HeadModules[SkipTopology.OutputNode(depth)].Spec, true);
        var parameters = Parameters(net);
        using var noGrad = no_grad();
        parameters[$"{head}.conv.weight"].zero_();
        parameters[$"{head}.conv.bias"].copy_(tensor(logits));
        net.eval();
        return net;
    }

    /// <summary>
    /// A depth-3 UNet# to be run at depth 1, made purely local (translation-equivariant): X^{0,1} ignores the
    /// up-sampled X^{1,0} input (bilinear align_corners resizing and pooling depend on position), so its output is
    /// four 3x3 convolutions of the input, radius 4.
    /// </summary>
    public static SegmentationNetwork Local(int dims, int seed)
    {
        manual_seed(seed);
        var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: 3));
        var x01 = net.NodeModules[new NodeId(0, 1)];
        Assert.Equal(new[] { new NodeId(0, 0), new NodeId(1, 0) }, x01.Spec.Inputs.Select(i => i.Source));
        int direct = net.Topology.OutChannels(new NodeId(0, 0));   // X^{0,0}'s channels come first in the concatenation
        using (no_grad())
        {
            // He-scaled weights: PyTorch's default init shrinks the signal at every layer and the output would be flat.
            foreach (var (_, w) in Parameters(net).Where(p => p.Value.dim() > 2))
                w.normal_(0, Math.Sqrt(2.0 / (w.numel() / w.shape[0])));
            Parameters(net)["conv0_1.conv1.weight"].narrow(1, direct, x01.InputChannels - direct).zero_();
        }
        net.eval();
        return net;
    }

    /// <summary>
    /// Binary, CGM on, run at depth 1: the segmentation logit is 2 everywhere and the shallow CGM's presence logit is
    /// max(relu(input)) − 5 over the tile (identity kernels through X^{0,0} and X^{1,0}, batch norm at its initial
    /// statistics), so presence is high only in tiles that contain a bright voxel (≥ 10).
    /// </summary>
    public static SegmentationNetwork SpotDetector()
    {
        var net = new SegmentationNetwork(TinyNets.Config(dims: 2, depth: 3, cgm: true));
        var p = Parameters(net);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in p) if (!name.Contains(".bn")) parameter.zero_();
        foreach (var conv in new[] { "conv0_0.conv1", "conv0_0.conv2", "conv1_0.conv1", "conv1_0.conv2" })
            p[$"{conv}.weight"][0, 0, 1, 1] = tensor(1f);
        p["cgm_shallow.conv.weight"][0, 0, 0, 0] = tensor(1f);
        p["cgm_shallow.conv.bias"].fill_(-5);
        p["final1.conv.bias"].fill_(2);
        net.eval();
        return net;
    }

    /// <summary>Mirrors a C-order array [C, spatial...] along spatial axes.</summary>
    public static float[] Flip(float[] values, int channels, int[] shape, params long[] spatialAxes)
    {
        using var t = tensor(values, new[] { (long)channels }.Concat(shape.Select(s => (long)s)).ToArray());
        using var flipped = t.flip(spatialAxes.Select(a => a + 1).ToArray());
        return flipped.contiguous().data<float>().ToArray();
    }

    public static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }
}
