using TorchSharp;
using TorchSharp.Modules;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Onnx;

/// <summary>A convolution's eval-mode weights, batch norm already folded in: weight [out, in, k, ...], bias [out].</summary>
internal sealed record ConvWeights(float[] Weight, long[] Shape, float[] Bias);

/// <summary>An instance norm's affine parameters (statistics come from each input at run time).</summary>
internal sealed record InstanceNormWeights(float[] Scale, float[] Bias, float Epsilon);

/// <summary>
/// Reads a network's parameters and buffers by their state-dict names (conv0_0.conv1.weight, conv0_0.bn1.running_mean,
/// ...) into plain arrays, so the exporter depends on the names only, not on how the modules run their forward.
/// Batch norm is folded as <see cref="Inference.BatchNormFolding"/> does, in double precision:
/// w' = w·γ/√(var+ε), b' = (b−μ)·γ/√(var+ε) + β.
/// </summary>
internal sealed class OnnxWeights
{
    readonly Dictionary<string, Tensor> state;
    readonly Dictionary<string, nn.Module> modules;

    public OnnxWeights(SegmentationNetwork network)
    {
        state = network.state_dict().ToDictionary(p => p.Key, p => p.Value);
        modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
    }

    /// <summary>The convolution <paramref name="conv"/> (e.g. conv1_0.conv1), with the batch norm <paramref name="norm"/> folded in when it is one.</summary>
    public ConvWeights Convolution(string conv, string? norm = null)
    {
        var weight = Read($"{conv}.weight");
        long[] shape = Tensor($"{conv}.weight").shape;
        double[] bias = state.ContainsKey($"{conv}.bias") ? Read($"{conv}.bias") : new double[shape[0]];
        if (norm is not null && modules.GetValueOrDefault(norm) is BatchNorm bn)
        {
            double[] gamma = Read($"{norm}.weight"), beta = Read($"{norm}.bias"), mean = Read($"{norm}.running_mean"), variance = Read($"{norm}.running_var");
            int perOutput = weight.Length / (int)shape[0];
            for (int o = 0; o < shape[0]; o++)
            {
                double scale = gamma[o] / Math.Sqrt(variance[o] + bn.eps);
                for (int k = 0; k < perOutput; k++) weight[o * perOutput + k] *= scale;
                bias[o] = (bias[o] - mean[o]) * scale + beta[o];
            }
        }
        return new ConvWeights(ToFloat(weight), shape, ToFloat(bias));
    }

    /// <summary>The instance norm <paramref name="norm"/>'s affine parameters, or null when it is a (folded) batch norm.</summary>
    public InstanceNormWeights? InstanceNorm(string norm)
    {
        if (modules.GetValueOrDefault(norm) is not NormBase instance || instance is BatchNorm) return null;
        if (!state.ContainsKey($"{norm}.weight"))
            throw new ConfigurationException($"instance norm '{norm}' has no affine parameters; UNetSharp networks always create them");
        return new InstanceNormWeights(ToFloat(Read($"{norm}.weight")), ToFloat(Read($"{norm}.bias")), (float)instance.eps);
    }

    Tensor Tensor(string name) => state.TryGetValue(name, out var t) ? t
        : throw new ConfigurationException($"the network has no parameter '{name}' (its modules do not match its topology)");

    double[] Read(string name)
    {
        using var scope = NewDisposeScope();
        return Tensor(name).detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}
