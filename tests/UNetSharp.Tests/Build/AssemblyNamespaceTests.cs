namespace UNetSharp.Tests.Build;

/// <summary>
/// Namespaces equal assembly names: a type's namespace starts with its own assembly's name, and never with the name of
/// another, longer-named product assembly (the core once had a <c>UNetSharp.Reporting</c> namespace beside the
/// UNetSharp.Reporting assembly; the Onnx assembly's namespace was <c>UNetSharp.Export</c>).
/// </summary>
public class AssemblyNamespaceTests
{
    [Fact]
    public void EveryTypeLivesUnderItsOwnAssemblysNameAndNoOther()
    {
        var names = ProductAssemblies.All.Select(a => a.GetName().Name!).ToList();
        var wrong = new List<string>();
        foreach (var assembly in ProductAssemblies.All)
        {
            string own = assembly.GetName().Name!;
            foreach (var type in ProductAssemblies.OwnTypes(assembly))
            {
                string ns = type.Namespace!;
                // The longest product-assembly name the namespace falls under must be this assembly's own.
                string? owner = names.Where(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)).MaxBy(n => n.Length);
                if (owner != own) wrong.Add($"{type.FullName} in {own} (namespace belongs to {owner ?? "no product assembly"})");
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void TheLibraryAndServicePackagesCarryNoBenchmarksOrExperimentRunner()
    {
        string[] shipped = ["UNetSharp", "UNetSharp.Onnx", "UNetSharp.Reporting", "UNetSharp.Serve"];
        var leaked = ProductAssemblies.All.Where(a => shipped.Contains(a.GetName().Name))
            .SelectMany(ProductAssemblies.OwnTypes)
            .Where(t => t.Name.Contains("Benchmark", StringComparison.Ordinal) || t.Namespace!.Contains(".Experiments", StringComparison.Ordinal)
                || t.Name is "ExperimentRunner" or "ExperimentSpec" or "ExperimentResult" or "WilcoxonSignedRank" or "NormalDistribution")
            .Select(t => t.FullName).ToList();
        Assert.Empty(leaked);
    }
}
