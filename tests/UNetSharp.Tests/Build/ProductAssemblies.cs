using System.Reflection;
using System.Runtime.CompilerServices;

namespace UNetSharp.Tests.Build;

/// <summary>The assemblies this repository ships (packages and the CLI with what it carries), and their own types.</summary>
static class ProductAssemblies
{
    public static IReadOnlyList<Assembly> All { get; } =
    [
        typeof(UNetSharp.UNetSharpException).Assembly,
        typeof(UNetSharp.Onnx.OnnxExporter).Assembly,
        typeof(UNetSharp.Reporting.HtmlReport).Assembly,
        typeof(UNetSharp.Serve.SegmentationServer).Assembly,
        typeof(UNetSharp.Experiments.ExperimentRunner).Assembly,
        typeof(UNetSharp.Cli.CliApp).Assembly,
    ];

    /// <summary>
    /// The types written in our sources: not the ones the compiler emits (closures, state machines, the regex
    /// generator's <c>System.Text.RegularExpressions.Generated</c>, embedded attributes), which have no say in layering.
    /// </summary>
    public static IEnumerable<Type> OwnTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => t.Namespace is { } ns && ns.StartsWith("UNetSharp", StringComparison.Ordinal)
            && !t.Name.StartsWith('<') && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null);
}
