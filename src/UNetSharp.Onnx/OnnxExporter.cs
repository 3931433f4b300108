using Google.Protobuf;
using Onnx;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Models.Topology;
using static UNetSharp.Onnx.OnnxGraph;

namespace UNetSharp.Onnx;

/// <summary>
/// Writes a network, pruned to one depth, as an ONNX model for ONNX Runtime and other runtimes. The graph is built
/// from the <see cref="SkipTopology"/> and the state-dict parameters, with eval semantics: only the ancestors of
/// X^{0,depth} (as <see cref="SegmentationNetwork.Forward"/> runs them), batch norm folded into the convolutions,
/// instance norm as InstanceNormalization, no dropout. Input "image" [N, C, spatial...]; outputs "logits"
/// [N, classes, spatial...], "presence" [N, classes] (the CGM this depth gates with: deep at full depth, shallow when
/// pruned) when the network has CGMs, and "probabilities" on request. The plan's preprocessing goes into metadata_props
/// (docs/UNET-SHARP.md §7).
/// <code>
/// OnnxExporter.Export(net, depth: 2, "model.onnx", new OnnxExportOptions { InputSize = new long[] { 256, 256 }, Plan = plan });
/// </code>
/// </summary>
public static class OnnxExporter
{
    /// <summary>Opset 17: the last before Resize/Reduce* moved attributes to inputs; ONNX Runtime 1.31 runs it fully.</summary>
    public const int Opset = 17;

    /// <summary>IR version 8 (ONNX 1.10+), which opset 17 runtimes all read.</summary>
    public const long IrVersion = 8;

    public const string InputName = "image", LogitsName = "logits", PresenceName = "presence", ProbabilitiesName = "probabilities";

    /// <summary>Writes the model atomically (temporary file, then rename). <paramref name="verify"/>, if given, gets the
    /// temporary file first; when it throws, the temp is removed and nothing appears under <paramref name="path"/>.</summary>
    public static void Export(SegmentationNetwork network, int depth, string path, OnnxExportOptions? options = null, Action<string>? verify = null)
    {
        CheckOutput(path);
        byte[] bytes = ToBytes(network, depth, options);
        AtomicFile.Write(path, s => s.Write(bytes), verify);
    }

    /// <summary>
    /// Writes the model statically quantised to int8 in QDQ form (<see cref="OnnxQuantizer"/>), activation ranges calibrated
    /// on <paramref name="calibration"/>; atomically, <paramref name="verify"/> getting the temporary file first.
    /// </summary>
    public static QuantizationReport ExportInt8(SegmentationNetwork network, int depth, string path, IReadOnlyList<CalibrationBatch> calibration,
        OnnxExportOptions? options = null, Action<string>? verify = null, string? calibrationSource = null)
    {
        CheckOutput(path);
        var (model, report) = OnnxQuantizer.Quantize(Build(network, depth, options ?? new OnnxExportOptions()), calibration);
        model.DocString += $"; int8 QDQ (per-channel weights, per-tensor activations calibrated by min/max on {report.CalibrationBatches} patches)";
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadata.QuantizationKey, Value = "int8" });
        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = "unetsharp.calibration",
            Value = $"min/max over {report.CalibrationBatches} patches ({report.CalibrationValues} input values){(calibrationSource is null ? "" : $" from {calibrationSource}")}",
        });
        byte[] bytes = model.ToByteArray();
        AtomicFile.Write(path, s => s.Write(bytes), verify);
        return report;
    }

    /// <summary>
    /// The output may be new or an ONNX model UNetSharp wrote before (replaced); a folder, or any other existing file
    /// (a checkpoint, a config, somebody's model), is refused and left alone.
    /// </summary>
    public static void CheckOutput(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ConfigurationException("ONNX output path is empty");
        PathGuard.RequireFolderOrAbsent(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "ONNX output folder");
        if (Directory.Exists(path)) throw new ConfigurationException($"ONNX output {path} is a folder; name the .onnx file to write");
        if (!File.Exists(path)) return;
        bool ours;
        try
        {
            using var stream = File.OpenRead(path);
            ours = stream.Length < int.MaxValue && ModelProto.Parser.ParseFrom(stream).ProducerName == "UNetSharp";
        }
        catch (InvalidProtocolBufferException) { ours = false; }
        if (!ours) throw new ConfigurationException($"ONNX output {path} exists and is not an ONNX model written by UNetSharp; it is left alone");
    }

    /// <summary>The serialised ONNX model.</summary>
    public static byte[] ToBytes(SegmentationNetwork network, int depth, OnnxExportOptions? options = null) =>
        Build(network, depth, options ?? new OnnxExportOptions()).ToByteArray();

    internal static ModelProto Build(SegmentationNetwork network, int depth, OnnxExportOptions options)
    {
        var config = network.Config;
        if (!network.PrunableDepths.Contains(depth))
            throw new ConfigurationException($"cannot export {network.Topology.Name} at depth {depth}: available depths are {string.Join(", ", network.PrunableDepths)}" +
                (config.DeepSupervision ? "" : " (pruning needs deep supervision)"));
        CheckSize(options.InputSize, config, depth);

        var writer = new NetworkGraphWriter(network, depth);
        var graph = writer.Graph;
        object[] spatial = options.InputSize is { } size ? size.Cast<object>().ToArray()
            : (config.Dimensions == 2 ? new object[] { "height", "width" } : new object[] { "slices", "height", "width" });
        graph.Proto.Input.Add(FloatTensor(InputName, new object[] { "batch", (long)config.InChannels }.Concat(spatial).ToArray()));
        graph.Proto.Output.Add(FloatTensor(LogitsName, new object[] { "batch", (long)config.Classes }.Concat(spatial).ToArray()));
        var outputs = new List<string> { LogitsName };
        if (writer.PresenceModule is not null)
        {
            graph.Proto.Output.Add(FloatTensor(PresenceName, "batch", (long)config.Classes));
            outputs.Add(PresenceName);
        }
        if (options.Probabilities)
        {
            var probabilities = config.Classes == 1
                ? graph.Node("Sigmoid", ProbabilitiesName, new[] { LogitsName })
                : graph.Node("Softmax", ProbabilitiesName, new[] { LogitsName }, Int("axis", 1));
            graph.Proto.Output.Add(FloatTensor(probabilities, new object[] { "batch", (long)config.Classes }.Concat(spatial).ToArray()));
            outputs.Add(ProbabilitiesName);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "UNetSharp",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"{network.Topology.Name} {config.Dimensions}D pruned to depth {depth} of {config.Depth}; eval mode, batch norm folded",
            Graph = graph.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in OnnxMetadata.For(network, depth, options, outputs, writer.PresenceModule))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>A fixed input size must fit the pruned depth: per axis a multiple of the product of the strides down to it (2^depth by default).</summary>
    static void CheckSize(IReadOnlyList<long>? size, NetworkConfig config, int depth)
    {
        if (size is null) return;
        if (size.Count != config.Dimensions)
            throw new ConfigurationException($"input size {string.Join("x", size)} has {size.Count} axes; a {config.Dimensions}D network needs {config.Dimensions}");
        var multiples = config.LevelScale(depth);
        if (size.Where((s, a) => s < multiples[a] || s % multiples[a] != 0).Any())
            throw new ConfigurationException(config.Strides is null
                ? $"input size {string.Join("x", size)} does not fit depth {depth}: every axis must be a positive multiple of 2^{depth} = {multiples[0]}"
                : $"input size {string.Join("x", size)} does not fit depth {depth}: each axis must be a positive multiple of {string.Join("x", multiples)} (the product of its strides)");
    }
}
