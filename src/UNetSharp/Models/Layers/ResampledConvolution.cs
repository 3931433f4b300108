using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>
/// How one skip path reaches its node's resolution: max-pooling by the per-axis factor between the levels (2^(to − from) by default) from a shallower level, or
/// (bi/tri)linear up-sampling (align_corners = true) to the node's exact size from a deeper one.
/// </summary>
/// <param name="Ops">The 2D/3D operations.</param>
/// <param name="FromLevel">Level of the source node.</param>
/// <param name="ToLevel">Level of the node that reads it (differs from <paramref name="FromLevel"/>).</param>
/// <param name="Size">Spatial size at <paramref name="ToLevel"/>.</param>
public sealed record Resampling(SpatialOps Ops, int FromLevel, int ToLevel, long[] Size)
{
    public Tensor Apply(Tensor x) => FromLevel < ToLevel ? Ops.MaxPool(x, FromLevel, ToLevel) : Ops.Resize(x, Size);
}

/// <summary>
/// conv(resample(source), weight) + bias with a same-padded odd kernel, where backward recomputes resample(source)
/// from the (small) source instead of keeping the resampled tensor alive between forward and backward. For UNet#
/// these are the full-scale paths, e.g. X^{4,0}'s 512 channels up-sampled x16 to full size: the largest
/// activations of the network, cheap to recompute (memory-bound, no FLOPs to speak of). See docs/UNET-SHARP.md §6.
///
/// Backward does no extra convolution: with G = dL/dy, dL/d(resampled) = conv_transpose(G, W) and, because
/// ⟨conv(u, W), G⟩ = ⟨u, conv_transpose(G, W)⟩, dL/dW is the weight gradient of that same conv_transpose against
/// the recomputed u; dL/dsource is the resampling's own backward of dL/d(resampled). Both come from one re-entrant
/// <c>torch.autograd.grad</c> call, so the results are those of the plain graph up to float summation order.
/// </summary>
public sealed class ResampledConvolution : autograd.SingleTensorFunction<ResampledConvolution>
{
    public override string Name => nameof(ResampledConvolution);

    /// <summary>conv(resampling.Apply(source), weight) + bias, recording the recomputing backward when grad is on.</summary>
    public static Tensor Apply(Tensor source, Tensor weight, Tensor? bias, Resampling resampling) =>
        apply(source, weight, bias, resampling);

    /// <summary>Called by autograd (grad mode off); use <see cref="Apply"/>.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var source = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var bias = vars[2] as Tensor;
        var resampling = (Resampling)vars[3];
        ctx.save_for_backward(new List<Tensor> { source, weight });
        ctx.save_data("resampling", resampling);
        ctx.save_data("bias", bias is not null);
        using var resampled = resampling.Apply(source);
        return resampling.Ops.Convolve(resampled, weight, bias);
    }

    /// <summary>Called by autograd: gradients for source, weight and bias (null for the resampling argument).</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var resampling = (Resampling)ctx.get_data("resampling");
        bool hasBias = (bool)ctx.get_data("bias");
        Tensor dSource, dWeight;
        Tensor? dBias = null;
        using (var scope = NewDisposeScope())
        {
            using var gradMode = enable_grad();
            var source = saved[0].detach().requires_grad_(true);
            var weight = saved[1].detach().requires_grad_(true);
            var g = gradOutput.detach();
            var resampled = resampling.Apply(source);                       // recomputed, lives only in this scope
            var dResampled = resampling.Ops.ConvolveTranspose(g, weight);   // dL/d(resampled)
            var grads = autograd.grad(new[] { dResampled, resampled }, new[] { weight, source }, new[] { resampled.detach(), dResampled.detach() });
            dWeight = grads[0].MoveToOuterDisposeScope();
            dSource = grads[1].MoveToOuterDisposeScope();
            if (hasBias) dBias = g.sum(Enumerable.Range(0, (int)g.dim()).Where(d => d != 1).Select(d => (long)d).ToArray()).MoveToOuterDisposeScope();
        }
        foreach (var t in saved) t.Dispose();
        return new List<Tensor> { dSource, dWeight, dBias!, null! };
    }
}
