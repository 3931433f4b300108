using UNetSharp.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// Folds each eval-mode batch norm into the convolution before it: w' = w·γ/√(var+ε), b' = (b−μ)·γ/√(var+ε) + β.
/// The batch norm is then set to the identity (mean 0, var 1 − ε, γ 1, β 0, so (x − 0)/√(1 − ε + ε)·1 + 0 = x)
/// because the network's blocks hold their norm layers in fields this code cannot replace: the arithmetic of the norm
/// still runs. Pairs are found by name, as every block names them: convK → bnK (node blocks) and conv → bn (UNet 3+
/// paths). Instance norm depends on each input's statistics and cannot be folded; it is left alone.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Folds in place and puts the network in eval mode; returns the number of folded pairs. Not for a
    /// network that will train again (its batch norms would learn from the identity).</summary>
    public static int FoldInPlace(SegmentationNetwork network)
    {
        network.eval();
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        int folded = 0;
        using var noGrad = no_grad();
        foreach (var (name, module) in modules)
        {
            if (module is not BatchNorm norm) continue;
            string convName = ConvolutionName(name);
            if (!modules.TryGetValue(convName, out var conv))
                throw new InvalidOperationException($"batch norm '{name}' has no convolution '{convName}' to fold into");
            Fold(conv, norm);
            folded++;
            // The block now skips its norms rather than running them as identities (that is where the time goes).
            if (modules.TryGetValue(name[..Math.Max(0, name.LastIndexOf('.'))], out var block) && block is IFoldableNormalisation foldable)
                foldable.NormalisationFolded = true;
        }
        return folded;
    }

    /// <summary>A folded, eval-mode copy: same configuration and weights, the original untouched.</summary>
    public static SegmentationNetwork FoldedCopy(SegmentationNetwork network)
    {
        var copy = new SegmentationNetwork(network.Config);
        copy.load_state_dict(network.state_dict());
        FoldInPlace(copy);
        return copy;
    }

    static string ConvolutionName(string normName)
    {
        int dot = normName.LastIndexOf('.');
        string leaf = normName[(dot + 1)..];
        if (!leaf.StartsWith("bn", StringComparison.Ordinal)) return normName + ".conv";
        return normName[..(dot + 1)] + "conv" + leaf[2..];
    }

    static void Fold(nn.Module conv, BatchNorm norm)
    {
        using var scope = NewDisposeScope();
        var (weight, bias) = conv switch
        {
            Conv2d c => (c.weight!, c.bias),
            Conv3d c => (c.weight!, c.bias),
            _ => throw new InvalidOperationException($"cannot fold a batch norm into a {conv.GetType().Name}"),
        };
        if (bias is null) throw new InvalidOperationException("folding needs a convolution with bias");
        double eps = norm.eps;
        // Double precision for the factors: float32 folding would add its own rounding to the comparison budget.
        var gamma = norm.weight!.to_type(ScalarType.Float64);
        var beta = norm.bias!.to_type(ScalarType.Float64);
        var mean = norm.running_mean!.to_type(ScalarType.Float64);
        var scale = gamma / (norm.running_var!.to_type(ScalarType.Float64) + eps).sqrt();
        var shape = new[] { -1L }.Concat(Enumerable.Repeat(1L, (int)weight.dim() - 1)).ToArray();
        weight.copy_((weight.to_type(ScalarType.Float64) * scale.reshape(shape)).to_type(weight.dtype));
        bias.copy_(((bias.to_type(ScalarType.Float64) - mean) * scale + beta).to_type(bias.dtype));
        norm.running_mean!.zero_();
        norm.running_var!.fill_(1 - eps);
        norm.weight!.fill_(1);
        norm.bias!.zero_();
    }
}
