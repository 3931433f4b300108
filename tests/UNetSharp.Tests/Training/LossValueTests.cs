using TorchSharp;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>Every loss against values worked out by hand on tiny tensors.</summary>
public class LossValueTests
{
    const double Tol = 1e-5;

    // A 2x2 binary case: probabilities 0.5, 0.75 / 0.25, 0.5 (logits 0, ln 3 / −ln 3, 0), foreground in the top row.
    static Tensor BinaryLogits() => tensor(new float[] { 0, (float)Math.Log(3), -(float)Math.Log(3), 0 }).reshape(1, 1, 2, 2);
    static Tensor BinaryLabels() => tensor(new long[] { 1, 1, 0, 0 }).reshape(1, 2, 2);

    [Fact]
    public void BceDiceOnA2x2CaseMatchesTheHandValue()
    {
        using var scope = NewDisposeScope();
        // BCE = mean(−ln .5, −ln .75, −ln .75, −ln .5); Dice = (2·1.25 + ε) / (Σp² = 1.125 + Σy² = 2 + ε).
        double bce = (2 * Math.Log(2) + 2 * Math.Log(4.0 / 3)) / 4;
        double dice = (2.5 + 1e-5) / (3.125 + 1e-5);
        var parts = new BceDiceHeadLoss().Parts(BinaryLogits(), BinaryLabels());
        Assert.Equal(0.5 * bce, parts[0].item<float>(), Tol);
        Assert.Equal(1 - dice, parts[1].item<float>(), Tol);
        Assert.Equal(0.5 * bce + 1 - dice, BceDiceLoss.Compute(BinaryLogits(), BinaryLabels().to_type(ScalarType.Float32)).item<float>(), Tol);
    }

    [Fact]
    public void BinaryFocalLossMatchesTheHandValue()
    {
        using var scope = NewDisposeScope();
        // α = 0.25 on foreground (p = .5, .75), 1 − α on background (p = .25, .5), γ = 2.
        double expected = (0.25 * 0.25 * Math.Log(2) + 0.25 * 0.0625 * Math.Log(4.0 / 3)
                          + 0.75 * 0.0625 * Math.Log(4.0 / 3) + 0.75 * 0.25 * Math.Log(2)) / 4;
        Assert.Equal(expected, FocalLoss.Compute(BinaryLogits(), BinaryLabels()).item<float>(), Tol);
        // γ = 0 and α = 0.5 is half the plain BCE.
        double bce = (2 * Math.Log(2) + 2 * Math.Log(4.0 / 3)) / 4;
        Assert.Equal(0.5 * bce, FocalLoss.Compute(BinaryLogits(), BinaryLabels(), alpha: 0.5, gamma: 0).item<float>(), Tol);
    }

    [Fact]
    public void MultiClassFocalLossUsesTheTrueClassProbability()
    {
        using var scope = NewDisposeScope();
        // softmax(0, ln 2, 0) = (.25, .5, .25); true class 1 → (1 − .5)²·ln 2.
        var logits = tensor(new float[] { 0, (float)Math.Log(2), 0 }).reshape(1, 3, 1, 1);
        Assert.Equal(0.25 * Math.Log(2), FocalLoss.Compute(logits, tensor(new long[] { 1 }).reshape(1, 1, 1)).item<float>(), Tol);
    }

    [Fact]
    public void IouLossMatchesTheHandValueAndIgnoresBackground()
    {
        using var scope = NewDisposeScope();
        // I = .5 + .75 = 1.25, U = Σp 2 + Σy 2 − I = 2.75.
        Assert.Equal(1 - 1.25 / 2.75, IouLoss.Compute(BinaryLogits(), BinaryLabels()).item<float>(), Tol);
        // Two channels with background logit 0: softmax foreground = sigmoid(foreground logit), the same numbers.
        var twoChannel = cat(new[] { zeros(1, 1, 2, 2), BinaryLogits() }, 1);
        Assert.Equal(1 - 1.25 / 2.75, IouLoss.Compute(twoChannel, BinaryLabels()).item<float>(), Tol);
    }

    // Two pixels, three classes: pixel A is class 1 with softmax (.25, .5, .25), pixel B class 2 with (.25, .25, .5).
    static Tensor ThreeClassLogits() => tensor(new float[] { 0, 0, (float)Math.Log(2), 0, 0, (float)Math.Log(2) }).reshape(1, 3, 1, 2);
    static Tensor ThreeClassLabels() => tensor(new long[] { 1, 2 }).reshape(1, 1, 2);

    [Fact]
    public void CeDiceExcludesBackgroundFromDice()
    {
        using var scope = NewDisposeScope();
        // CE = mean(−ln .5, −ln .5). Class 1: tp .5, fp .25, fn .5; class 2 the same → Dice = (1 + ε)/(1.75 + ε) each.
        // With background (tp 0, fp .5) the mean would fall to ≈ 0.381, so the value proves the exclusion.
        var parts = new CeDiceLoss().Parts(ThreeClassLogits(), ThreeClassLabels());
        Assert.Equal(Math.Log(2), parts[0].item<float>(), Tol);
        Assert.Equal(1 - (1 + 1e-5) / (1.75 + 1e-5), parts[1].item<float>(), Tol);
    }

    [Fact]
    public void ClassWeightsWeighTheCrossEntropyOfEachVoxelByItsTrueClass()
    {
        using var scope = NewDisposeScope();
        // Pixel A is class 1 at p .5 (nll ln 2), pixel B class 0 at p .25 (nll ln 4 = 2 ln 2). Unweighted CE = 1.5 ln 2;
        // with weights (1, 3, 1) torch's weighted mean is (3·ln 2 + 1·2 ln 2) / (3 + 1) = 1.25 ln 2. Dice is unchanged.
        var labels = tensor(new long[] { 1, 0 }).reshape(1, 1, 2);
        var plain = new CeDiceLoss().Parts(ThreeClassLogits(), labels);
        var weighted = new LossOptions { ClassWeights = [1, 3, 1] }.CreateHeadLoss(3).Parts(ThreeClassLogits(), labels);
        Assert.Equal(1.5 * Math.Log(2), plain[0].item<float>(), Tol);
        Assert.Equal(1.25 * Math.Log(2), weighted[0].item<float>(), Tol);
        Assert.Equal(plain[1].item<float>(), weighted[1].item<float>(), Tol);
    }

    [Fact]
    public void LossSettingsWithClassWeightsCompareByValueSoAResumedRunMatchesItsCheckpoint()
    {
        var run = new LossOptions { ClassWeights = [1, 1, 5] };
        var fromCheckpoint = UNetSharp.IO.ProjectJson.Deserialize<LossOptions>(UNetSharp.IO.ProjectJson.Serialize(run), "ckpt");
        Assert.NotSame(run.ClassWeights, fromCheckpoint.ClassWeights);
        Assert.Equal(run, fromCheckpoint);
        Assert.Equal(run.GetHashCode(), fromCheckpoint.GetHashCode());
        Assert.NotEqual(run, run with { ClassWeights = [1, 1, 4] });
        Assert.NotEqual(run, run with { ClassWeights = null });
        Assert.Equal(new LossOptions(), new LossOptions());
    }

    [Theory]
    [InlineData(new double[] { 1, 5 }, "2 given for a network with 3 output classes")]
    [InlineData(new double[] { 1, 0, 5 }, "positive finite")]
    public void ClassWeightsMustMatchTheClassesAndBePositive(double[] weights, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => new LossOptions { ClassWeights = weights }.CreateHeadLoss(3));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void BatchDiceSumsOverTheBatchBeforeTheRatio()
    {
        using var scope = NewDisposeScope();
        // Sample 1: one pixel of class 1, p1 = .5. Sample 2: one background pixel, p1 = .25.
        var logits = tensor(new float[] { 0, 0, 0, -(float)Math.Log(3) }).reshape(2, 2, 1, 1);
        var labels = tensor(new long[] { 1, 0 }).reshape(2, 1, 1);
        double perSample = ((1 + 1e-5) / (1.5 + 1e-5) + 1e-5 / (0.25 + 1e-5)) / 2; // tp .5 fn .5 | fp .25
        double batch = (1 + 1e-5) / (1.75 + 1e-5);                                // tp .5, fp .25, fn .5
        Assert.Equal(1 - perSample, new CeDiceLoss(batchDice: false).Parts(logits, labels)[1].item<float>(), Tol);
        Assert.Equal(1 - batch, new CeDiceLoss(batchDice: true).Parts(logits, labels)[1].item<float>(), Tol);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(16, 1)]
    [InlineData(32, 2)]
    [InlineData(64, 3)]
    [InlineData(175, 4)]
    [InlineData(176, 5)]
    [InlineData(512, 5)]
    public void MsSsimUsesTheScalesTheSizeAllows(long size, int scales) => Assert.Equal(scales, MsSsimLoss.Scales(new[] { size, size }));

    [Theory]
    [InlineData(2, 16)]
    [InlineData(3, 16)]
    [InlineData(2, 32)]
    public void MsSsimOfConstantImagesIsTheLuminanceTerm(int dims, int size)
    {
        using var scope = NewDisposeScope();
        // p = .5 everywhere, y = 1: σ = 0 so every cs = 1 (→ (1+1)/2 = 1) and l = (2·.5 + C1)/(.25 + 1 + C1) at the coarsest scale.
        long[] shape = dims == 2 ? new long[] { 1, 1, size, size } : new long[] { 1, 1, size, size, size };
        var labels = ones(shape.Where((_, i) => i != 1).ToArray(), dtype: ScalarType.Int64);
        double c1 = 1e-4, l = (1 + c1) / (1.25 + c1);
        double lastWeight = size == 32 ? 0.2856 / (0.0448 + 0.2856) : 1;
        double expected = 1 - Math.Pow((l + 1) / 2, lastWeight);
        Assert.Equal(expected, MsSsimLoss.Compute(zeros(shape), labels).item<float>(), 1e-4);
    }

    [Fact]
    public void MsSsimOfAnImageWithItselfIsOne()
    {
        using var scope = NewDisposeScope();
        var x = rand(new long[] { 2, 1, 64, 64 }, generator: new Generator(5));
        Assert.Equal(1.0, MsSsimLoss.MsSsim(x, x).mean().item<float>(), 1e-5);
        Assert.True(MsSsimLoss.MsSsim(x, 1 - x).mean().item<float>() < 0.6);
    }

    [Fact]
    public void HybridLossIsTheSumOfItsThreeTerms()
    {
        using var scope = NewDisposeScope();
        var parts = new HybridLoss().Parts(BinaryLogits(), BinaryLabels());
        Assert.Equal(FocalLoss.Compute(BinaryLogits(), BinaryLabels()).item<float>(), parts[0].item<float>(), 1e-7);
        Assert.Equal(MsSsimLoss.Compute(BinaryLogits(), BinaryLabels()).item<float>(), parts[1].item<float>(), 1e-7);
        Assert.Equal(1 - 1.25 / 2.75, parts[2].item<float>(), Tol);
    }

    [Fact]
    public void PresenceTargetsSayWhichClassesTheMaskHas()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 0, 2, 2, 0, /**/ 0, 0, 0, 0 }).reshape(2, 2, 2);
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 0 }, LossTargets.Presence(labels, 3).flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0 }, LossTargets.Presence(labels, 1).flatten().data<float>().ToArray());
    }

    [Fact]
    public void LossKindsThatCannotFitTheClassesAreRejected()
    {
        Assert.Throws<ConfigurationException>(() => new LossOptions { Kind = LossKind.BceDice }.CreateHeadLoss(3));
        Assert.Throws<ConfigurationException>(() => new LossOptions { Kind = LossKind.CeDice }.CreateHeadLoss(1));
        Assert.IsType<CeDiceLoss>(new LossOptions().CreateHeadLoss(3));
        Assert.IsType<BceDiceHeadLoss>(new LossOptions().CreateHeadLoss(1));
    }
}
