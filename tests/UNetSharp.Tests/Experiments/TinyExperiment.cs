using UNetSharp.Experiments;
using UNetSharp.Pipeline;
using UNetSharp.Reporting;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Experiments;

/// <summary>
/// A two-architecture, one-seed experiment of 2 steps per run on synthetic cells, run once per test process and shared:
/// first interrupted right after its first run finished, then run again to the end (what the resume test checks), with a
/// report.html per run and one for the experiment (what the report and browser tests open).
/// </summary>
public sealed class TinyExperiment
{
    static readonly Lazy<TinyExperiment> Instance = new(() => new TinyExperiment(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static TinyExperiment Shared => Instance.Value;

    public string Root { get; } = Directory.CreateTempSubdirectory("unetsharp-experiment-").FullName;
    public ExperimentSpec Spec { get; }
    public List<(string Arch, RunOutcome Outcome)> FirstPass { get; } = [];
    public List<(string Arch, RunOutcome Outcome)> SecondPass { get; } = [];
    public bool FirstPassInterrupted { get; }
    public byte[] FirstRecordAfterFirstPass { get; }
    public DateTime FirstRecordTimeAfterFirstPass { get; }
    public ExperimentResult Result { get; }
    public string ReportPath { get; }

    TinyExperiment()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(Root, recursive: true); } catch (IOException) { } };
        string data = RunTestData.Cells(Path.Combine(Root, "data"), images: 6, size: 32);
        var settings = RunTestData.TinySettings(data, "");
        Spec = new ExperimentSpec
        {
            OutputDirectory = Path.Combine(Root, "out"),
            Datasets = [new ExperimentDataset("cells", settings) { PaperProtocol = true }],
            Architectures = ["unet++", "unet#"],
            Seeds = [7],
            Iterations = 2,
            Threads = 1,
        };
        using var stop = new CancellationTokenSource();
        try
        {
            ExperimentRunner.Run(Spec, cancellation: stop.Token, runFinished: (r, o) => { FirstPass.Add((r.Architecture, o)); stop.Cancel(); });
        }
        catch (OperationCanceledException) { FirstPassInterrupted = true; }
        string first = Path.Combine(Spec.RunFolder("cells", "unet++", 7), RunRecord.FileName);
        FirstRecordAfterFirstPass = File.ReadAllBytes(first);
        FirstRecordTimeAfterFirstPass = File.GetLastWriteTimeUtc(first);
        Result = ExperimentRunner.Run(Spec, runFinished: (r, o) => SecondPass.Add((r.Architecture, o)), runReport: (_, run) => RunReport.Write(run));
        ReportPath = ExperimentReport.Write(Spec.OutputDirectory, Result);
    }
}
