using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Export;

/// <summary>Tiny networks with random weights and random, non-trivial norm statistics, so folding and InstanceNormalization are exercised.</summary>
public static class OnnxTestNets
{
    public static SegmentationNetwork Random(NetworkConfig config, int seed = 7)
    {
        manual_seed(seed);
        var net = new SegmentationNetwork(config);
        using (no_grad())
            foreach (var (_, module) in net.named_modules())
            {
                if (module is TorchSharp.Modules.BatchNorm bn)
                {
                    bn.running_mean!.uniform_(-0.3, 0.3);
                    bn.running_var!.uniform_(0.5, 2.0);
                }
                if (module is TorchSharp.Modules.NormBase norm && norm.weight is not null)
                {
                    norm.weight.uniform_(0.5, 1.5);
                    norm.bias!.uniform_(-0.2, 0.2);
                }
            }
        net.eval();
        return net;
    }
}
