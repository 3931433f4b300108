using UNetSharp.Training;

namespace UNetSharp.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void WarmUpRisesLinearlyThenCosineFallsToTheFloor()
    {
        var schedule = new LearningRateSchedule(1e-3, 1e-5, WarmupIterations: 2, TotalIterations: 10);
        Assert.Equal(0.5e-3, schedule.At(0), 15);
        Assert.Equal(1e-3, schedule.At(1), 15);
        Assert.Equal(1e-3, schedule.At(2), 15);                       // cosine progress 0
        Assert.Equal(1e-5 + (1e-3 - 1e-5) / 2, schedule.At(6), 15);   // progress 4/8
        Assert.Equal(1e-5 + (1e-3 - 1e-5) * (1 + Math.Cos(Math.PI * 7 / 8)) / 2, schedule.At(9), 15);
        Assert.Equal(1e-5, schedule.At(10), 15);
    }

    [Fact]
    public void WithoutWarmUpTheFirstStepUsesTheFullRate()
    {
        var schedule = new LearningRateSchedule(0.01, 0, 0, 4);
        double[] expected = { 0.01, 0.01 * (1 + Math.Cos(Math.PI / 4)) / 2, 0.005, 0.01 * (1 + Math.Cos(3 * Math.PI / 4)) / 2 };
        for (int t = 0; t < 4; t++) Assert.Equal(expected[t], schedule.At(t), 15);
    }

    [Fact]
    public void AnIterationBudgetEndsInAPartialEpoch()
    {
        var config = new TrainingConfig { Epochs = 100, MaxIterations = 10 };
        Assert.Equal(10, config.TotalIterations(4));
        Assert.Equal(3, config.TotalEpochs(4));
        Assert.Equal(6, new TrainingConfig { WarmupEpochs = 1.5 }.WarmupIterations(4));
    }
}
