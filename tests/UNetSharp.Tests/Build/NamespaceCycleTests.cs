using Xunit.Abstractions;

namespace UNetSharp.Tests.Build;

/// <summary>
/// Layers without cycles: no two of our layers (<see cref="NamespaceDependencies.Layer"/>: UNetSharp.Inference with
/// its sub-namespaces, UNetSharp.Planning, ...) use each other, directly or round a loop. A cycle means neither can be
/// understood, tested or moved without the other, as Inference↔Planning and Inference↔Instances were (the prediction
/// jobs inside Inference used Planning and Instances, which used Inference's connected components and hole filling)
/// and Pipeline↔Experiments (cross-validation used the experiments' mean ± sd).
/// </summary>
public class NamespaceCycleTests(ITestOutputHelper output)
{
    [Fact]
    public void NoCycleBetweenLayers()
    {
        var edges = NamespaceDependencies.Of(ProductAssemblies.All, NamespaceDependencies.Layer);
        var cycles = NamespaceDependencies.Cycles(edges.Keys);
        var report = cycles.Select(c => string.Join(" ↔ ", c) + ":\n" + string.Join("\n",
            edges.Where(e => c.Contains(e.Key.From) && c.Contains(e.Key.To)).Select(e => $"  {e.Key.From} → {e.Key.To} ({e.Value})")));
        foreach (var line in report) output.WriteLine(line);
        // the layer graph, for docs/ARCHITECTURE.md's picture
        foreach (var group in edges.Keys.GroupBy(e => e.From).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"{group.Key} → {string.Join(", ", group.Select(e => e.To).Order(StringComparer.Ordinal))}");
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", report));
    }

    [Fact]
    public void TheCheckFindsACycleAndSeesUsesInsideMethodBodies()
    {
        // A loop of three plus a separate pair; a chain beside them is no cycle.
        var cycles = NamespaceDependencies.Cycles([("A", "B"), ("B", "C"), ("C", "A"), ("D", "E"), ("E", "D"), ("C", "F"), ("F", "G")]);
        Assert.Equal(["A,B,C", "D,E"], cycles.Select(c => string.Join(",", c)).Order(StringComparer.Ordinal));

        // CliApp names the commands only inside method bodies (AddCommand<TrainCommand>() in lambdas): the IL
        // reading must see them.
        var edges = NamespaceDependencies.Of([typeof(UNetSharp.Cli.CliApp).Assembly]);
        Assert.Contains(("UNetSharp.Cli", "UNetSharp.Cli.Commands"), edges.Keys);
        Assert.Equal("UNetSharp.Inference", NamespaceDependencies.Layer("UNetSharp.Inference.Anything"));
        Assert.Equal("UNetSharp", NamespaceDependencies.Layer("UNetSharp"));
    }
}
