namespace UNetSharp.Models.Topology;

/// <summary>
/// A UNet-family architecture as data: which nodes exist, which nodes feed each (with what resampling and
/// path convolution), and where the heads are. One generic engine (<see cref="SegmentationNetwork"/>) interprets
/// it, so pruning, deep supervision, parameter/FLOP counting and export work for every architecture at once.
/// Nodes are listed in a valid evaluation order (every input before the node that reads it). See docs/UNET-SHARP.md §2.
/// </summary>
public sealed class SkipTopology
{
    readonly Dictionary<NodeId, NodeSpec> byId;

    public SkipTopology(string name, int depth, IReadOnlyList<NodeSpec> nodes, IReadOnlyList<HeadSpec> heads)
    {
        Name = name;
        Depth = depth;
        Nodes = nodes;
        Heads = heads;
        byId = new Dictionary<NodeId, NodeSpec>();
        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs)
                if (!input.Source.IsInput && !byId.ContainsKey(input.Source))
                    throw new ArgumentException($"{name}: {node.Id} reads {input.Source} before it is defined");
            if (!byId.TryAdd(node.Id, node)) throw new ArgumentException($"{name}: {node.Id} is defined twice");
        }
        foreach (var head in heads)
            if (!byId.ContainsKey(head.Node)) throw new ArgumentException($"{name}: head on missing node {head.Node}");
    }

    /// <summary>Architecture name, e.g. "unet#".</summary>
    public string Name { get; }

    /// <summary>Number of down-samplings L (levels 0..L).</summary>
    public int Depth { get; }

    public IReadOnlyList<NodeSpec> Nodes { get; }
    public IReadOnlyList<HeadSpec> Heads { get; }

    public NodeSpec this[NodeId id] => byId[id];
    public bool Contains(NodeId id) => byId.ContainsKey(id);

    /// <summary>The top-row node X^{0,l} whose head is the depth-l prediction.</summary>
    public static NodeId OutputNode(int depth) => new(0, depth);

    /// <summary>Depths l at which a pruned prediction exists (X^{0,l} carries a head).</summary>
    public IReadOnlyList<int> PrunableDepths(bool deepSupervision) => Enumerable.Range(1, Depth)
        .Where(l => Heads.Any(h => h.Node == OutputNode(l) && (deepSupervision || !h.DeepSupervisionOnly)))
        .ToList();

    /// <summary>
    /// The nodes that must run to produce X^{0,l} (its ancestors and itself), in evaluation order. For UNet# this
    /// is exactly {X^{i,j} : i + j ≤ l}; everything else is skipped, which is what makes pruning fast.
    /// </summary>
    public IReadOnlyList<NodeSpec> NodesFor(int depth) => NodesFor(new[] { OutputNode(depth) });

    /// <summary>The ancestors of the given nodes, themselves included, in evaluation order.</summary>
    public IReadOnlyList<NodeSpec> NodesFor(IEnumerable<NodeId> targets)
    {
        var needed = new HashSet<NodeId>();
        var stack = new Stack<NodeId>(targets);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (id.IsInput || !needed.Add(id)) continue;
            foreach (var input in byId[id].Inputs) stack.Push(input.Source);
        }
        return Nodes.Where(n => needed.Contains(n.Id)).ToList();
    }

    /// <summary>Input width of a node's first convolution (sum of its paths' widths).</summary>
    public int InputChannels(NodeSpec node, int imageChannels) =>
        node.Inputs.Sum(i => i.PathChannels > 0 ? i.PathChannels : i.Source.IsInput ? imageChannels : byId[i.Source].OutChannels);

    public int OutChannels(NodeId id) => byId[id].OutChannels;
}
