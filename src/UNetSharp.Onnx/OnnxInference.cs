using Microsoft.ML.OnnxRuntime;

namespace UNetSharp.Onnx;

/// <summary>What one ONNX run returns, as flat row-major arrays; absent outputs are null.</summary>
/// <param name="Logits">[N, C, spatial...] logits.</param>
/// <param name="Shape">The logits' shape.</param>
/// <param name="Presence">[N, C] CGM presence logits, when the model has them.</param>
/// <param name="Probabilities">[N, C, spatial...] probabilities, when the model was exported with them.</param>
public sealed record OnnxOutput(float[] Logits, long[] Shape, float[]? Presence, float[]? Probabilities);

/// <summary>
/// Runs an exported model with ONNX Runtime on the CPU. One session per instance (thread-safe runs).
/// <code>
/// using var onnx = new OnnxInference("model.onnx");
/// var output = onnx.Run(pixels, new long[] { 1, 1, 256, 256 });   // output.Logits, output.Presence
/// </code>
/// </summary>
public sealed class OnnxInference : IDisposable
{
    readonly InferenceSession session;

    /// <param name="path">An .onnx file written by <see cref="OnnxExporter"/> (any model with an "image" input and a "logits" output runs).</param>
    /// <param name="threads">Intra-op threads; null = ONNX Runtime's default (one per physical core).</param>
    public OnnxInference(string path, int? threads = null) : this(path, null, threads) { }

    /// <summary>A model held in memory (a run folder exported without a file); <paramref name="name"/> names it in messages.</summary>
    public OnnxInference(byte[] model, string name, int? threads = null) : this(name, model, threads) { }

    OnnxInference(string path, byte[]? bytes, int? threads)
    {
        if (bytes is null && !File.Exists(path)) throw new DataFormatException(path, "ONNX model not found");
        using var options = OrtSessions.Options(GraphOptimizationLevel.ORT_ENABLE_ALL, threads);
        try { session = bytes is null ? new InferenceSession(path, options) : new InferenceSession(bytes, options); }
        catch (OnnxRuntimeException e) { throw new DataFormatException(path, $"not a valid ONNX model (truncated or corrupt?): {FirstLine(e.Message)}"); }
        Path = path;
        if (!session.InputMetadata.ContainsKey(OnnxExporter.InputName) || !session.OutputMetadata.ContainsKey(OnnxExporter.LogitsName))
        {
            session.Dispose();
            throw new DataFormatException(path, $"model has no '{OnnxExporter.InputName}' input or no '{OnnxExporter.LogitsName}' output (not exported by UNetSharp)");
        }
        Metadata = session.ModelMetadata.CustomMetadataMap;
        InputDimensions = session.InputMetadata[OnnxExporter.InputName].Dimensions;
    }

    public string Path { get; }

    /// <summary>The model's metadata_props ("unetsharp.classes", "unetsharp.normalization", ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The input's declared shape; -1 for dynamic axes.</summary>
    public IReadOnlyList<int> InputDimensions { get; }

    /// <summary>Per-axis size multiples from the metadata ("16" for every axis, or "1x4x4"); null when absent or unreadable.</summary>
    long[]? SizeMultiples(int axes)
    {
        if (!Metadata.TryGetValue("unetsharp.size_multiple", out var text)) return null;
        var parts = text.Split('x');
        var values = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0) return null;
        return values.Length == 1 ? Enumerable.Repeat(values[0], axes).ToArray() : values.Length == axes ? values : null;
    }

    /// <summary>Runs the model on <paramref name="image"/>, row-major with shape <paramref name="shape"/> = [N, C, spatial...].</summary>
    public OnnxOutput Run(float[] image, long[] shape)
    {
        if (shape.Length != InputDimensions.Count)
            throw new ConfigurationException($"{Path} expects input of rank {InputDimensions.Count}, got shape [{string.Join(", ", shape)}]");
        for (int d = 0; d < shape.Length; d++)
            if (InputDimensions[d] > 0 && InputDimensions[d] != shape[d])
                throw new ConfigurationException($"{Path} expects input [{string.Join(", ", InputDimensions.Select(v => v > 0 ? v.ToString() : "?"))}], got [{string.Join(", ", shape)}]");
        // Dynamic exports up-sample by constant factors: other sizes would come out floored, not fail, so refuse them here.
        if (SizeMultiples(shape.Length - 2) is { } multiples && shape.Skip(2).Where((s, a) => s % multiples[a] != 0).Any())
            throw new ConfigurationException($"{Path} needs spatial sizes that are multiples of {string.Join("x", multiples)}, got [{string.Join(", ", shape)}] (pad the image)");
        if (image.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            throw new ConfigurationException($"image has {image.LongLength} values but shape [{string.Join(", ", shape)}] needs {shape.Aggregate(1L, (a, b) => a * b)}");

        var names = session.OutputNames;
        using var input = OrtValue.CreateTensorValueFromMemory(image, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { OnnxExporter.InputName }, new[] { input }, names);
        float[]? Get(string name)
        {
            int k = names.ToList().IndexOf(name);
            return k < 0 ? null : results[k].GetTensorDataAsSpan<float>().ToArray();
        }
        long[] logitsShape = results[names.ToList().IndexOf(OnnxExporter.LogitsName)].GetTensorTypeAndShape().Shape;
        return new OnnxOutput(Get(OnnxExporter.LogitsName)!, logitsShape, Get(OnnxExporter.PresenceName), Get(OnnxExporter.ProbabilitiesName));
    }

    public void Dispose() => session.Dispose();

    /// <summary>
    /// The operators ONNX Runtime actually runs for a model file after its graph optimisations (QDQ groups fused into
    /// QLinearConv / ConvInteger for a quantised model), counted by type: the optimised graph is written to a temporary
    /// file and read back.
    /// </summary>
    public static IReadOnlyDictionary<string, int> OptimizedOperators(string path, int? threads = 1)
    {
        string optimized = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"unetsharp-ort-{Guid.NewGuid():N}.onnx");
        try
        {
            // quiet (OrtSessions): ORT warns that a graph optimised for this CPU should stay on it, which is the point here
            using (var options = OrtSessions.Options(GraphOptimizationLevel.ORT_ENABLE_ALL))
            {
                options.OptimizedModelFilePath = optimized;
                if (threads is { } n) options.IntraOpNumThreads = n;
                try { using var session = new InferenceSession(path, options); }
                catch (OnnxRuntimeException e) { throw new DataFormatException(path, $"not a valid ONNX model: {FirstLine(e.Message)}"); }
            }
            using var stream = File.OpenRead(optimized);
            return global::Onnx.ModelProto.Parser.ParseFrom(stream).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
