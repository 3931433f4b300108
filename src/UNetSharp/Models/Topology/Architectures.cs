namespace UNetSharp.Models.Topology;

/// <summary>The UNet family as skip topologies over the same node grid X^{i,j} (see docs/UNET-SHARP.md §2).</summary>
public static class Architectures
{
    /// <summary>Names accepted by <see cref="Create"/> (and the CLI's --arch).</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "unet", "unet++", "unet3+", "unet#" };

    /// <summary>The topology of an architecture by name; widths has one entry per level (depth + 1).</summary>
    public static SkipTopology Create(string name, int depth, IReadOnlyList<int> widths) => Normalise(name) switch
    {
        "unet" => UNet(depth, widths),
        "unet++" => UNetPlusPlus(depth, widths),
        "unet3+" => UNet3Plus(depth, widths),
        "unet#" => UNetSharp(depth, widths),
        _ => throw new ConfigurationException($"unknown architecture '{name}'; choose one of {string.Join(", ", Names)}"),
    };

    /// <summary>Canonical name: accepts aliases such as "unetsharp", "unetpp", "unet3plus".</summary>
    public static string Normalise(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "unet" => "unet",
        "unet++" or "unetpp" or "unetplusplus" or "nested-unet" => "unet++",
        "unet3+" or "unet3p" or "unet3plus" => "unet3+",
        "unet#" or "unetsharp" or "unet-sharp" => "unet#",
        var other => other,
    };

    /// <summary>UNet (Ronneberger et al. 2015): one same-level skip per decoder node X^{i,L-i}.</summary>
    public static SkipTopology UNet(int depth, IReadOnlyList<int> widths)
    {
        var nodes = Encoder(depth, widths);
        for (int i = depth - 1; i >= 0; i--)
            nodes.Add(Double(new NodeId(i, depth - i), widths[i], new NodeId(i, 0), new NodeId(i + 1, depth - i - 1)));
        return new SkipTopology("unet", depth, nodes, MainAndSideHeads(depth, mainKernel: 1));
    }

    /// <summary>UNet++ (Zhou et al. 2018): X^{i,j} = H(X^{i,0..j-1}, U2(X^{i+1,j-1})), dense row skips.</summary>
    public static SkipTopology UNetPlusPlus(int depth, IReadOnlyList<int> widths)
    {
        var nodes = Encoder(depth, widths);
        foreach (var (i, j) in DecoderByAntiDiagonal(depth))
            nodes.Add(Double(new NodeId(i, j), widths[i], Row(i, j).Append(new NodeId(i + 1, j - 1)).ToArray()));
        return new SkipTopology("unet++", depth, nodes, TopRowHeads(depth).ToList());
    }

    /// <summary>
    /// UNet 3+ (Huang et al. 2020): decoder node X^{i,L-i} fuses max-pooled shallower encoder nodes, the same-level
    /// encoder node and up-sampled deeper decoder nodes, each path Conv3x3 → widths[0], fused by one Conv3x3 of
    /// widths[0]·(L+1) channels (320 for the paper's 64).
    /// </summary>
    public static SkipTopology UNet3Plus(int depth, IReadOnlyList<int> widths)
    {
        var nodes = Encoder(depth, widths);
        int cat = widths[0], fused = widths[0] * (depth + 1);
        for (int i = depth - 1; i >= 0; i--)
        {
            var inputs = new List<SkipInput>();
            for (int k = 0; k <= i; k++) inputs.Add(new SkipInput(new NodeId(k, 0), cat));
            for (int k = i + 1; k <= depth; k++) inputs.Add(new SkipInput(new NodeId(k, depth - k), cat));
            nodes.Add(new NodeSpec(new NodeId(i, depth - i), inputs, NodeBlock.SingleConv, fused));
        }
        return new SkipTopology("unet3+", depth, nodes, MainAndSideHeads(depth, mainKernel: 3));
    }

    /// <summary>
    /// UNet# (Qian et al. 2022): X^{i,j} = H(X^{i,0..j-1}, U2(X^{i+1,j-1}), U4(X^{i+2,j-2}), …, U_{2^j}(X^{i+j,0})):
    /// UNet++'s dense row skips plus every deeper node on the anti-diagonal up-sampled straight to the node (full scale).
    /// </summary>
    public static SkipTopology UNetSharp(int depth, IReadOnlyList<int> widths)
    {
        var nodes = Encoder(depth, widths);
        foreach (var (i, j) in DecoderByAntiDiagonal(depth))
            nodes.Add(Double(new NodeId(i, j), widths[i],
                Row(i, j).Concat(Enumerable.Range(1, j).Select(k => new NodeId(i + k, j - k))).ToArray()));
        var heads = TopRowHeads(depth).ToList();
        for (int k = 0; k < depth; k++) heads.Add(new HeadSpec(new NodeId(depth - k, k), 3, DeepSupervisionOnly: true));
        return new SkipTopology("unet#", depth, nodes, heads);
    }

    static List<NodeSpec> Encoder(int depth, IReadOnlyList<int> widths)
    {
        var nodes = new List<NodeSpec> { Double(new NodeId(0, 0), widths[0], NodeId.Input) };
        for (int i = 1; i <= depth; i++) nodes.Add(Double(new NodeId(i, 0), widths[i], new NodeId(i - 1, 0)));
        return nodes;
    }

    /// <summary>Decoder nodes (j ≥ 1, i + j ≤ L) ordered by i + j, so every input exists before it is read.</summary>
    static IEnumerable<(int I, int J)> DecoderByAntiDiagonal(int depth) =>
        from s in Enumerable.Range(1, depth) from j in Enumerable.Range(1, s) select (s - j, j);

    static IEnumerable<NodeId> Row(int i, int j) => Enumerable.Range(0, j).Select(c => new NodeId(i, c));

    static NodeSpec Double(NodeId id, int width, params NodeId[] inputs) =>
        new(id, inputs.Select(s => new SkipInput(s)).ToList(), NodeBlock.DoubleConv, width);

    /// <summary>1x1 heads on X^{0,1..L}; all but X^{0,L} exist only with deep supervision.</summary>
    static IEnumerable<HeadSpec> TopRowHeads(int depth) =>
        Enumerable.Range(1, depth).Select(j => new HeadSpec(new NodeId(0, j), 1, DeepSupervisionOnly: j < depth));

    /// <summary>The main head on X^{0,L} plus 3x3 side heads on X^{L,0} and every decoder node X^{i,L-i}, i ≥ 1.</summary>
    static List<HeadSpec> MainAndSideHeads(int depth, int mainKernel)
    {
        var heads = new List<HeadSpec> { new(new NodeId(0, depth), mainKernel, DeepSupervisionOnly: false) };
        for (int i = depth; i >= 1; i--) heads.Add(new HeadSpec(new NodeId(i, depth - i), 3, DeepSupervisionOnly: true));
        return heads;
    }
}
