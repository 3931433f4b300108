using System.Text.Json;
using Microsoft.Extensions.Logging;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Honest;

/// <summary>Before the first step a run measures and prints its cost (time per step, total), saves it in plan.json, and
/// warns with a way out when the total is over an hour.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class CostEstimateTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-cost-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void TheEstimateIsPrintedBeforeTrainingAndSavedInThePlan()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data")), run = Path.Combine(root, "run");
        var log = new Lines();
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 2) with { Logger = log });

        int estimateLine = log.All.FindIndex(l => l.StartsWith("Information estimate: ", StringComparison.Ordinal));
        int trainingLine = log.All.FindIndex(l => l.StartsWith("Information training on", StringComparison.Ordinal));
        Assert.True(estimateLine >= 0 && estimateLine < trainingLine, string.Join("\n", log.All));
        Assert.Contains("6 steps = ", log.All[estimateLine]);         // 2 epochs x 3 batches
        Assert.Contains("2 validations of ", log.All[estimateLine]);
        Assert.DoesNotContain(log.All, l => l.Contains("estimated at", StringComparison.Ordinal)); // seconds, not hours

        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, ExperimentPlan.FileName)));
        var e = plan.RootElement.GetProperty("cost_estimate");
        Assert.Equal(6, e.GetProperty("steps").GetInt64());
        Assert.Equal(2, e.GetProperty("validations").GetInt32());
        double perStep = e.GetProperty("seconds_per_step").GetDouble();
        Assert.InRange(perStep, 1e-5, 30);
        Assert.True(e.GetProperty("total_seconds").GetDouble() >= 6 * perStep - 0.1);
        Assert.Equal(ExperimentPlan.Load(run).CostEstimate!.SecondsPerStep, perStep); // reads back
    }

    [Fact]
    public void ARunOverAnHourIsToldHowToShortenIt()
    {
        var log = new Lines();
        TrainingCostProbe.Log(log, new CostEstimate(20.0, 3, 2500, 60, 50, 240, 2500 * 20.0 + 50 * 60 + 240, 2));
        Assert.Contains(log.All, l => l.StartsWith("Information estimate: 20.000 s per step (3 steps timed after 2 warm-up, 2 threads); 2500 steps = 13h53m, 50 validations of 60.0 s; final evaluation 240 s; total about 14h47m", StringComparison.Ordinal));
        Assert.Contains("Warning this run is estimated at 14h47m: set a time budget (time_budget, e.g. 1h", log.All.Single(l => l.StartsWith("Warning", StringComparison.Ordinal)));
    }

    sealed class Lines : ILogger
    {
        public List<string> All { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Add($"{level} {formatter(state, exception)}");
    }
}
