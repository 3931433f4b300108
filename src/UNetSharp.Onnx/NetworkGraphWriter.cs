using UNetSharp.Models;
using UNetSharp.Models.Topology;
using static UNetSharp.Onnx.OnnxGraph;

namespace UNetSharp.Onnx;

/// <summary>
/// Emits the ONNX nodes of one pruned forward pass: every node X^{i,j} of <see cref="SkipTopology.NodesFor(int)"/>
/// in evaluation order (inputs resampled to the node's level, optional UNet 3+ path convolutions, concatenation,
/// Conv→Norm→ReLU once or twice), then the depth's head as "logits" and its CGM as "presence".
/// </summary>
internal sealed class NetworkGraphWriter
{
    readonly OnnxWeights weights;
    readonly NetworkConfig config;
    readonly int dims;
    readonly Dictionary<NodeId, string> features = new();
    readonly Dictionary<(NodeId Source, int Level), string> resampled = new();

    public NetworkGraphWriter(SegmentationNetwork network, int depth)
    {
        weights = new OnnxWeights(network);
        config = network.Config;
        dims = config.Dimensions;
        features[NodeId.Input] = OnnxExporter.InputName;
        foreach (var spec in network.Topology.NodesFor(depth)) features[spec.Id] = Node(spec);

        var outputNode = SkipTopology.OutputNode(depth);
        var head = network.Topology.Heads.First(h => h.Node == outputNode);
        string headName = SegmentationNetwork.HeadName(head, network.Config.DeepSupervision);
        // X^{0,l} is at full resolution, so its head needs no up-sampling.
        Convolution(features[outputNode], $"{headName}.conv", null, OnnxExporter.LogitsName);

        if (network.Config.Cgm)
        {
            // As SegmentationOutput.GatingPresenceLogits: CGM-deep on X^{L,0} at full depth, CGM-shallow on X^{1,0} when pruned.
            bool deep = depth == network.Config.Depth;
            PresenceModule = deep ? "cgm_deep" : "cgm_shallow";
            var source = new NodeId(deep ? network.Config.Depth : Math.Min(1, network.Config.Depth), 0);
            string map = Convolution(features[source], $"{PresenceModule}.conv", null, $"{PresenceModule}.conv");
            Graph.Node("ReduceMax", OnnxExporter.PresenceName, new[] { map }, Ints("axes", Enumerable.Range(2, dims).Select(a => (long)a)), Int("keepdims", 0));
        }
    }

    public OnnxGraph Graph { get; } = new();

    /// <summary>"cgm_deep" or "cgm_shallow" when the model outputs presence logits, else null.</summary>
    public string? PresenceModule { get; }

    string Node(NodeSpec spec)
    {
        string module = spec.Id.ModuleName;
        var parts = new string[spec.Inputs.Count];
        for (int k = 0; k < parts.Length; k++)
        {
            var input = spec.Inputs[k];
            parts[k] = Resampled(input.Source, spec.Id.Level);
            if (input.PathChannels > 0)
                parts[k] = ConvNormRelu(parts[k], $"{module}.path{k}.conv", $"{module}.path{k}.bn", $"{module}.path{k}");
        }
        string x = parts.Length == 1 ? parts[0] : Graph.Node("Concat", $"{module}.cat", parts, Int("axis", 1));
        x = ConvNormRelu(x, $"{module}.conv1", $"{module}.bn1", $"{module}.1");
        return spec.Block == NodeBlock.DoubleConv ? ConvNormRelu(x, $"{module}.conv2", $"{module}.bn2", $"{module}.2") : x;
    }

    /// <summary>
    /// Max-pool to a deeper level (kernel = stride = the per-axis product of the strides between the levels, 2^k by
    /// default), linear align-corners resize by the same per-axis factors to a shallower one.
    /// </summary>
    string Resampled(NodeId source, int level)
    {
        if (source.Level == level) return features[source];
        if (resampled.TryGetValue((source, level), out var cached)) return cached;
        string from = features[source];
        string stem = $"{source.ModuleName}.to_level{level}";
        string result;
        if (source.Level < level)
        {
            var k = Factor(source.Level, level);
            result = Graph.Node("MaxPool", stem, new[] { from }, Ints("kernel_shape", k), Ints("strides", k));
        }
        else
            result = Upsample(from, Factor(level, source.Level), stem);
        resampled[(source, level)] = result;
        return result;
    }

    /// <summary>Per-axis factor between a shallower and a deeper level (products of the strides between them).</summary>
    long[] Factor(int shallowLevel, int deepLevel)
    {
        long[] deep = config.LevelScale(deepLevel), shallow = config.LevelScale(shallowLevel);
        return deep.Select((d, a) => d / shallow[a]).ToArray();
    }

    /// <summary>
    /// Up-sampling by constant per-axis factors: with align_corners only the input and output lengths enter the
    /// coordinate transform, and floor(n·factor) is the exact target size for every input a multiple of the size
    /// multiples, so the same graph serves fixed and dynamic spatial sizes.
    /// </summary>
    string Upsample(string x, long[] factors, string stem)
    {
        string scales = Graph.Initializer($"{stem}.scales", new float[] { 1, 1 }.Concat(factors.Select(f => (float)f)).ToArray(), 2 + dims);
        return Graph.Node("Resize", stem, new[] { x, "", scales },
            String("mode", "linear"), String("coordinate_transformation_mode", "align_corners"));
    }

    string ConvNormRelu(string x, string conv, string norm, string stem)
    {
        string y = Convolution(x, conv, norm, $"{stem}.conv");
        if (weights.InstanceNorm(norm) is { } instance)
        {
            string scale = Graph.Initializer($"{norm}.weight", instance.Scale, instance.Scale.Length);
            string bias = Graph.Initializer($"{norm}.bias", instance.Bias, instance.Bias.Length);
            y = Graph.Node("InstanceNormalization", $"{stem}.norm", new[] { y, scale, bias }, Float("epsilon", instance.Epsilon));
        }
        return Graph.Node("Relu", $"{stem}.relu", new[] { y });
    }

    /// <summary>A same-padded convolution (batch norm <paramref name="norm"/> folded in when it is one).</summary>
    string Convolution(string x, string conv, string? norm, string output)
    {
        var c = weights.Convolution(conv, norm);
        string w = Graph.Initializer($"{conv}.weight", c.Weight, c.Shape);
        string b = Graph.Initializer($"{conv}.bias", c.Bias, c.Bias.Length);
        long[] kernel = c.Shape[2..];
        return Graph.Node("Conv", output, new[] { x, w, b },
            Ints("kernel_shape", kernel),
            Ints("pads", kernel.Select(k => k / 2).Concat(kernel.Select(k => k / 2))),
            Ints("strides", Enumerable.Repeat(1L, dims)));
    }
}
