using System.Text.Json.Serialization;
using UNetSharp.Data.Sampling;
using UNetSharp.Models;

namespace UNetSharp.Training;

/// <summary>
/// How the segmentation heads' output biases start. <see cref="Default"/>: PyTorch's uniform init (every class near equal
/// probability). <see cref="Prior"/>: each head's bias set so that, before training, it predicts the training cases'
/// class frequencies (RetinaNet's "prior probability" init, applied to every deep-supervision head).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<HeadInitKind>))]
public enum HeadInitKind { Default, Prior }

/// <summary>
/// Why a prior init: with 2–3 % foreground (MSD hippocampus) an equal-probability start makes the cross-entropy's first
/// steps one large, shared push of every voxel towards background — for voxel logits z and targets y the CE gradient is
/// softmax(z) − y, whose sum over a patch is N·(1/C − prior) ≈ N/C per non-background class. Deep heads move their
/// logits furthest in that push and end up saturated at background, where the soft-Dice gradient (∝ p(1 − p)) is small:
/// the main head X^{0,L} then predicts nothing for epochs (docs/RESULTS.md). Started at the prior, that summed gradient is
/// zero and the first steps go to telling classes apart. Only biases change: weights keep their seeded init, so a run
/// repeats bitwise.
/// </summary>
public static class HeadInitialisation
{
    /// <summary>Smallest prior used: a class absent from the training labels still gets a finite bias (log 1e-4 ≈ −9.2).</summary>
    public const double MinPrior = 1e-4;

    /// <summary>
    /// Fraction of labelled voxels of each class index 0..classCount−1 over the cases (background first). Every case's
    /// voxels count once, so large cases weigh more (as they do when patches are drawn from them).
    /// </summary>
    public static double[] ClassPriors(ICaseSource cases, int classCount)
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), "a prior needs background and at least one class");
        var counts = new long[classCount];
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases.Load(i);
            var label = c.Label ?? throw new ConfigurationException($"case {c.Id} has no label: class priors need labelled training cases");
            foreach (int k in label)
                if (k >= 0 && k < classCount) counts[k]++;
                else throw new ConfigurationException($"case {c.Id}: class index {k} is outside 0..{classCount - 1}");
        }
        long total = counts.Sum();
        if (total == 0) throw new ConfigurationException("class priors need at least one labelled voxel");
        return counts.Select(n => (double)n / total).ToArray();
    }

    /// <summary>
    /// The head bias that predicts <paramref name="priors"/> before training: for a softmax head log p_c (centred: any shared
    /// constant cancels in the softmax); for a one-channel sigmoid head (binary task) log(p₁ / p₀). Priors are clamped to
    /// [<see cref="MinPrior"/>, 1 − MinPrior] and renormalised.
    /// </summary>
    public static float[] Bias(IReadOnlyList<double> priors, int outputChannels)
    {
        var p = priors.Select(v => Math.Clamp(v, MinPrior, 1 - MinPrior)).ToArray();
        double sum = p.Sum();
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        if (outputChannels == 1)
        {
            if (p.Length != 2) throw new ArgumentException($"a one-channel head needs 2 priors (background, foreground), got {p.Length}");
            return [(float)Math.Log(p[1] / p[0])];
        }
        if (p.Length != outputChannels) throw new ArgumentException($"{outputChannels} output channels need {outputChannels} priors, got {p.Length}");
        double mean = p.Average(Math.Log);
        return p.Select(v => (float)(Math.Log(v) - mean)).ToArray();
    }

    /// <summary>Sets every head's bias (deep-supervision and side heads included; CGMs untouched) to <see cref="Bias"/>.</summary>
    public static void Apply(SegmentationNetwork network, IReadOnlyList<double> priors)
    {
        var bias = Bias(priors, network.Config.Classes);
        foreach (var head in network.HeadModules.Values) head.SetBias(bias);
    }
}
