using UNetSharp.Models;
using UNetSharp.Models.Weights;
using static TorchSharp.torch;

// UNet# 2D with the paper's defaults (depth 4, widths 32..512), 8 deep-supervision heads and both CGMs.
using var net = new SegmentationNetwork(new NetworkConfig { Architecture = "unet#", InChannels = 1, Classes = 1, Cgm = true });
using var scope = NewDisposeScope();                  // frees every tensor made below at the end
var images = randn(2, 1, 64, 64);                     // a batch of two 64x64 one-channel images
net.train();
SegmentationOutput output = net.forward(images);      // output.Heads: all 8 heads by name ("final1".."final4", "side4_0"...)
net.eval();
using (no_grad())
{
    var fast = net.Forward(images, depth: 1);         // pruned: runs only X0,0, X1,0, X0,1 (3 of 15 node blocks)
    Console.WriteLine($"depth 1: {net.LastExecutedNodeCount} node blocks, logits [{string.Join(", ", fast.Logits.shape)}]");
}
ModelWeights.Save(net, "unetsharp.safetensors");       // PyTorch names: conv0_0.conv1.weight, final1.conv.weight, ...

Console.WriteLine($"heads: {string.Join(" ", output.Heads.Select(h => h.Name))}");
Console.WriteLine($"parameters: {NetworkCost.TotalParameters(net)}");
foreach (var cost in NetworkCost.PerDepth(net, [64, 64]))
    Console.WriteLine($"L{cost.Depth}: {cost.Nodes} nodes, {cost.Parameters} parameters, {cost.Flops / 1e9:F3} GFLOPs");
