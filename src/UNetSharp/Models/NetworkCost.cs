using UNetSharp.Models.Topology;

namespace UNetSharp.Models;

/// <summary>Parameter and FLOP counts of a network pruned to a depth.</summary>
/// <param name="Depth">The depth l.</param>
/// <param name="Nodes">Node blocks that run at this depth.</param>
/// <param name="Parameters">Trainable parameters of those nodes plus the X^{0,l} head (CGMs excluded).</param>
/// <param name="CgmParameters">Parameters of the CGM used at this depth (0 without CGMs).</param>
/// <param name="Flops">Forward FLOPs per image at the given size, multiply-add = 2, convolutions only.</param>
public sealed record DepthCost(int Depth, int Nodes, long Parameters, long CgmParameters, double Flops);

/// <summary>
/// Counts parameters (from the real modules) and forward FLOPs (analytically, from the topology) per depth.
/// FLOPs count the convolutions' multiply-adds as 2 each; pooling, up-sampling, norms and activations are
/// memory-bound extras left out (they are small in FLOPs, not in time — see docs/BENCHMARKS.md).
/// </summary>
public static class NetworkCost
{
    public static IReadOnlyList<DepthCost> PerDepth(SegmentationNetwork net, IReadOnlyList<long> size) =>
        net.PrunableDepths.Select(l => ForDepth(net, l, size)).ToList();

    public static DepthCost ForDepth(SegmentationNetwork net, int depth, IReadOnlyList<long> size)
    {
        var plan = net.Topology.NodesFor(depth);
        long parameters = plan.Sum(n => Count(net.NodeModules[n.Id])) + Count(net.HeadModules[SkipTopology.OutputNode(depth)]);
        var cgm = depth == net.Config.Depth ? net.DeepCgm : net.ShallowCgm;
        long cgmParameters = cgm is null ? 0 : Count(cgm);
        return new DepthCost(depth, plan.Count, parameters, cgmParameters, Flops(net.Config, net.Topology, depth, size, allHeads: false));
    }

    /// <summary>All trainable parameters: every node, head and CGM.</summary>
    public static long TotalParameters(SegmentationNetwork net) => Count(net);

    /// <summary>Forward FLOPs per image of the nodes needed for depth l (and all computed heads when <paramref name="allHeads"/>).</summary>
    public static double Flops(NetworkConfig config, SkipTopology topology, int depth, IReadOnlyList<long> size, bool allHeads)
    {
        double kernel3 = Math.Pow(3, config.Dimensions);
        double Voxels(int level)
        {
            var scale = config.LevelScale(level);
            return size.Select((s, a) => (double)(s / scale[a])).Aggregate(1.0, (x, y) => x * y);
        }
        var plan = topology.NodesFor(depth);
        double flops = 0;
        foreach (var node in plan)
        {
            double v = Voxels(node.Id.Level);
            foreach (var path in node.Inputs.Where(p => p.PathChannels > 0))
            {
                int width = path.Source.IsInput ? config.InChannels : topology.OutChannels(path.Source);
                flops += 2 * v * kernel3 * width * path.PathChannels;
            }
            flops += 2 * v * kernel3 * topology.InputChannels(node, config.InChannels) * node.OutChannels;
            if (node.Block == NodeBlock.DoubleConv) flops += 2 * v * kernel3 * node.OutChannels * node.OutChannels;
        }
        var computed = plan.Select(n => n.Id).ToHashSet();
        foreach (var head in topology.Heads.Where(h => config.DeepSupervision || !h.DeepSupervisionOnly))
        {
            bool used = allHeads ? computed.Contains(head.Node) : head.Node == SkipTopology.OutputNode(depth);
            if (used) flops += 2 * Voxels(head.Node.Level) * Math.Pow(head.Kernel, config.Dimensions) * topology.OutChannels(head.Node) * config.Classes;
        }
        return flops;
    }

    static long Count(TorchSharp.torch.nn.Module module) => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
