using TorchSharp;
using UNetSharp.Models.Layers;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Models;

/// <summary>
/// One generic UNet-family network, 2D or 3D, interpreting a <see cref="SkipTopology"/>: UNet, UNet++, UNet 3+
/// and UNet# are topologies over it, so deep supervision, pruning and export work for all of them at once.
///
/// UNet#: Qian, Zhou, Li, Hu, "UNet#: A UNet-like Redesigning Skip Connections for Medical Image Segmentation",
/// arXiv 2205.11759 (2022); Comput. Methods Programs Biomed. 243:107885 (2024). Dense (UNet++) plus full-scale
/// (UNet 3+) skips, deep supervision for pruning, two classification-guided modules against false positives.
///
/// <code>
/// // UNet# 2D, default widths 32..512, 8 deep-supervision heads, CGMs
/// using var net = new SegmentationNetwork(new NetworkConfig { Architecture = "unet#", InChannels = 1, Classes = 1, Cgm = true });
/// var output = net.forward(images);                 // full depth L, every head (training)
/// var fast = net.Forward(images, depth: 1);         // pruned: only X00, X10, X01 run
/// // 3D UNet++ with instance norm, 3 classes
/// var net3d = new SegmentationNetwork(new NetworkConfig { Architecture = "unet++", Dimensions = 3, Classes = 3, Norm = NormKind.Instance });
/// </code>
/// </summary>
public sealed class SegmentationNetwork : nn.Module<Tensor, SegmentationOutput>
{
    readonly SpatialOps ops;
    readonly Dictionary<NodeId, NodeModule> nodes = new();
    readonly Dictionary<NodeId, HeadModule> heads = new();
    readonly ClassificationGuidedModule? cgmDeep, cgmShallow;

    public SegmentationNetwork(NetworkConfig config) : base("SegmentationNetwork")
    {
        config.Validate();
        Config = config;
        Topology = config.Topology();
        ops = SpatialOps.For(config);
        foreach (var spec in Topology.Nodes)
        {
            var node = new NodeModule(ops, spec, Topology, config.InChannels);
            nodes[spec.Id] = node;
            register_module(spec.Id.ModuleName, node);
        }
        foreach (var spec in Topology.Heads.Where(h => config.DeepSupervision || !h.DeepSupervisionOnly))
        {
            string name = HeadName(spec, config.DeepSupervision);
            var head = new HeadModule(ops, spec, Topology.OutChannels(spec.Node), config.Classes, name);
            heads[spec.Node] = head;
            register_module(name, head);
        }
        if (config.Cgm)
        {
            cgmDeep = new ClassificationGuidedModule(ops, Topology.OutChannels(new NodeId(config.Depth, 0)), config.Classes, config.CgmDropout, "cgm_deep");
            cgmShallow = new ClassificationGuidedModule(ops, Topology.OutChannels(new NodeId(Math.Min(1, config.Depth), 0)), config.Classes, config.CgmDropout, "cgm_shallow");
            register_module("cgm_deep", cgmDeep);
            register_module("cgm_shallow", cgmShallow);
        }
        PrunableDepths = Topology.PrunableDepths(config.DeepSupervision);
    }

    public NetworkConfig Config { get; }
    public SkipTopology Topology { get; }

    /// <summary>Depths at which this network can predict (X^{0,l} carries a head). Without deep supervision only L.</summary>
    public IReadOnlyList<int> PrunableDepths { get; }

    /// <summary>
    /// Whether activations run channels-last (<see cref="NetworkConfig.ChannelsLast"/>): 2D networks, and 3D networks with
    /// instance norm (the planner's 3D default). 3D batch-norm networks stay NCDHW: with the memory-efficient path in train
    /// mode their first-layer weight gradients differed from the NCDHW path by up to 7e-3 relative, unexplained so far
    /// (without that path both layouts are within 6e-6 of a float64 reference; docs/BENCHMARKS.md).
    /// </summary>
    public bool RunsChannelsLast => Config.ChannelsLast && (Config.Dimensions == 2 || Config.Norm == NormKind.Instance);

    /// <summary>Number of node blocks the last forward pass ran (tests and benchmarks check that pruning skips).</summary>
    public int LastExecutedNodeCount { get; private set; }

    /// <summary>The node blocks by id (for counting parameters per depth and for export).</summary>
    public IReadOnlyDictionary<NodeId, NodeModule> NodeModules => nodes;

    /// <summary>The heads by the node they read.</summary>
    public IReadOnlyDictionary<NodeId, HeadModule> HeadModules => heads;

    public ClassificationGuidedModule? DeepCgm => cgmDeep;
    public ClassificationGuidedModule? ShallowCgm => cgmShallow;

    /// <summary>PyTorch-style head names as in pytorch-nested-unet: final (one head), final{j} (top row with deep supervision), side{i}_{j}.</summary>
    public static string HeadName(HeadSpec spec, bool deepSupervision) =>
        spec.Node.Level > 0 ? $"side{spec.Node.Level}_{spec.Node.Column}" : deepSupervision ? $"final{spec.Node.Column}" : "final";

    /// <summary>Full-depth forward. In training mode every head is returned (deep supervision); in eval mode only the main one.</summary>
    public override SegmentationOutput forward(Tensor input) => Forward(input, Config.Depth, allHeads: training);

    /// <summary>
    /// Forward at depth <paramref name="depth"/> (1..L): runs only the ancestors of X^{0,depth} and returns its head.
    /// <paramref name="allHeads"/> also returns every other head whose node was computed (for the deep-supervision loss).
    /// </summary>
    public SegmentationOutput Forward(Tensor input, int depth, bool allHeads = false)
    {
        CheckInput(input, depth);
        long[] full = input.shape.Skip(2).ToArray();
        var plan = Topology.NodesFor(depth);
        var features = new Dictionary<NodeId, Tensor>(plan.Count) { [NodeId.Input] = RunsChannelsLast ? ops.ToChannelsLast(input) : input };
        // Recomputing resampled inputs only pays when backward will run; without grad the plain path frees them at once.
        bool recompute = Config.MemoryEfficient && is_grad_enabled() && input.shape[0] * full.Aggregate(1L, (a, b) => a * b) >= Config.MemoryEfficientMinVoxels;
        foreach (var spec in plan)
        {
            // Every temporary of a node (resampled inputs, concatenation, pre-activation outputs) is released as soon
            // as the node is done: autograd keeps its own references to what backward needs, so this changes nothing
            // numerically but stops an enclosing DisposeScope from pinning the up-sampled copies (gigabytes at full
            // resolution) until the end of the step.
            using var scope = NewDisposeScope();
            var node = nodes[spec.Id];
            Tensor output;
            if (recompute)
            {
                var sources = spec.Inputs.Select(i => features[i.Source]).ToArray();
                var resamplings = spec.Inputs.Select(i => i.Source.Level == spec.Id.Level ? null
                    : new Resampling(ops, i.Source.Level, spec.Id.Level, ops.LevelSize(full, spec.Id.Level))).ToArray();
                output = node.Forward(sources, resamplings);
            }
            else
            {
                var resampled = new Tensor[spec.Inputs.Count];
                for (int k = 0; k < resampled.Length; k++)
                    resampled[k] = ops.Resample(features[spec.Inputs[k].Source], spec.Inputs[k].Source.Level, spec.Id.Level, full);
                output = node.Forward(resampled);
            }
            features[spec.Id] = output.MoveToOuterDisposeScope();
        }
        LastExecutedNodeCount = plan.Count;

        var outputNode = SkipTopology.OutputNode(depth);
        var computed = new List<SegmentationHead>();
        Tensor? main = null;
        foreach (var (nodeId, head) in heads)
        {
            if (!features.ContainsKey(nodeId) || (!allHeads && nodeId != outputNode)) continue;
            var logits = head.forward(features[nodeId], full);
            if (!logits.is_contiguous()) logits = logits.contiguous();   // callers get plain NCHW logits whatever the layout inside
            computed.Add(new SegmentationHead(head.GetName(), head.Spec.Kind, nodeId.Level, nodeId.Column, logits));
            if (nodeId == outputNode) main = logits;
        }
        Tensor? deep = depth == Config.Depth && cgmDeep is not null ? cgmDeep.forward(features[new NodeId(Config.Depth, 0)]) : null;
        Tensor? shallow = cgmShallow?.forward(features[new NodeId(Math.Min(1, Config.Depth), 0)]);
        return new SegmentationOutput(depth, main!, computed, deep, shallow);
    }

    void CheckInput(Tensor input, int depth)
    {
        if (!PrunableDepths.Contains(depth))
            throw new ConfigurationException(
                $"{Topology.Name} cannot predict at depth {depth}: available depths are {string.Join(", ", PrunableDepths)}" +
                (Config.DeepSupervision ? "" : " (pruning needs deep supervision)"));
        if (input.dim() != Config.Dimensions + 2)
            throw new ConfigurationException($"a {Config.Dimensions}D network needs input [N, C, {string.Join(", ", Enumerable.Repeat("size", Config.Dimensions))}], got shape [{string.Join(", ", input.shape)}]");
        if (input.shape[1] != Config.InChannels)
            throw new ConfigurationException($"the network expects {Config.InChannels} input channel(s), got {input.shape[1]} (shape [{string.Join(", ", input.shape)}])");
        Config.ValidateInputSize(input.shape.Skip(2).ToArray());
        if (input.dtype != ScalarType.Float32) throw new ConfigurationException($"input must be float32, got {input.dtype}");
    }
}
