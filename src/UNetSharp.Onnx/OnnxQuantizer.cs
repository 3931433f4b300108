using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace UNetSharp.Onnx;

/// <summary>One calibration input for <see cref="OnnxQuantizer"/>: a batch [N, C, spatial...] as the model's "image" input takes it.</summary>
public sealed record CalibrationBatch(float[] Data, long[] Shape);

/// <summary>What <see cref="OnnxQuantizer.Quantize"/> did: activation ranges measured and tensors quantised.</summary>
public sealed record QuantizationReport(int QuantizedConvolutions, int ActivationPoints, int CalibrationBatches, long CalibrationValues);

/// <summary>
/// Static int8 quantisation of an exported float model in QDQ form (QuantizeLinear/DequantizeLinear pairs, the form
/// ONNX Runtime fuses into integer kernels), written by our own graph rewriting (no Python tool chain):
/// <list type="bullet">
/// <item>weights of every convolution: int8, symmetric, one scale per output channel (axis 0), DequantizeLinear before the Conv;</item>
/// <item>biases: int32 with scale = input scale × weight scale per channel (zero point 0), as QLinearConv needs them;</item>
/// <item>activations: uint8, one scale per tensor, at the network input, after every ReLU (zero point 0: the ReLU then folds
/// into the quantisation) and at every other convolution input (concatenations, pooled or resized features); ranges
/// calibrated by running the float model with ONNX Runtime on the calibration batches (minimum/maximum over all values).</item>
/// </list>
/// The outputs (logits, presence) stay float: the heads' convolutions take quantised inputs but write float32.
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>Returns the QDQ model; <paramref name="model"/> is not changed.</summary>
    public static (ModelProto Model, QuantizationReport Report) Quantize(ModelProto model, IReadOnlyList<CalibrationBatch> calibration)
    {
        if (calibration.Count == 0) throw new ConfigurationException("int8 quantisation needs at least one calibration batch");
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        var reluOutputs = graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Output[0]).ToHashSet();
        // every ReLU output, then every other convolution input, in graph order (deterministic names and files)
        var points = graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Output[0])
            .Concat(convs.Select(c => c.Input[0]).Where(i => !reluOutputs.Contains(i))).Distinct().ToList();
        var (ranges, values) = Calibrate(model, points, calibration);

        var quantized = model.Clone();
        var g = quantized.Graph;
        var scaleOf = new Dictionary<string, float>();
        var dq = new Dictionary<string, string>();
        var qdqNodes = new Dictionary<string, List<NodeProto>>();   // inserted after the producer of the tensor
        foreach (string point in points)
        {
            var (min, max) = ranges[point];
            min = Math.Min(min, 0); max = Math.Max(max, 0);
            float scale = (max - min) / 255f;
            if (!(scale > 0) || !float.IsFinite(scale)) scale = 1e-8f;
            byte zero = (byte)Math.Clamp(Math.Round(-min / scale), 0, 255);
            if (reluOutputs.Contains(point)) zero = 0;   // ReLU output: [0, max]
            scaleOf[point] = scale;
            string s = Add(g, Scalar($"{point}.q_scale", scale)), z = Add(g, ScalarU8($"{point}.q_zero", zero));
            string q = $"{point}.q", d = $"{point}.dq";
            qdqNodes[point] = [Node("QuantizeLinear", q, [point, s, z]), Node("DequantizeLinear", d, [q, s, z])];
            dq[point] = d;
        }

        // consumers read the dequantised tensors; graph outputs keep their float producers
        foreach (var node in g.Node)
            for (int k = 0; k < node.Input.Count; k++)
                if (dq.TryGetValue(node.Input[k], out var d)) node.Input[k] = d;

        var weightNodes = new List<NodeProto>();
        var byName = g.Initializer.ToDictionary(t => t.Name);
        foreach (var conv in g.Node.Where(n => n.OpType == "Conv"))
        {
            string input = conv.Input[0].EndsWith(".dq", StringComparison.Ordinal) ? conv.Input[0][..^3] : conv.Input[0];
            float inputScale = scaleOf[input];
            var w = byName[conv.Input[1]];
            var weights = Floats(w);
            long outputs = w.Dims[0];
            int per = (int)(weights.Length / outputs);
            var wq = new sbyte[weights.Length];
            var wScale = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                float absMax = 0;
                for (int k = 0; k < per; k++) absMax = Math.Max(absMax, Math.Abs(weights[o * per + k]));
                wScale[o] = absMax > 0 ? absMax / 127f : 1f;
                for (int k = 0; k < per; k++) wq[o * per + k] = (sbyte)Math.Clamp(Math.Round(weights[o * per + k] / wScale[o]), -127, 127);
            }
            g.Initializer.Remove(w);
            string wName = Add(g, Tensor($"{w.Name}.int8", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(wq.AsSpan()), w.Dims));
            string wScaleName = Add(g, Tensor($"{w.Name}.scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(wScale.AsSpan()), [outputs]));
            string wZero = Add(g, Tensor($"{w.Name}.zero", TensorProto.Types.DataType.Int8, new byte[outputs], [outputs]));
            var wdq = Node("DequantizeLinear", $"{w.Name}.dq", [wName, wScaleName, wZero]);
            wdq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            weightNodes.Add(wdq);
            conv.Input[1] = wdq.Output[0];

            if (conv.Input.Count > 2 && byName.TryGetValue(conv.Input[2], out var b))
            {
                var bias = Floats(b);
                var bq = new int[bias.Length];
                var bScale = new float[bias.Length];
                for (int o = 0; o < bias.Length; o++)
                {
                    bScale[o] = inputScale * wScale[o];
                    bq[o] = (int)Math.Clamp(Math.Round(bias[o] / bScale[o]), int.MinValue + 1, int.MaxValue);
                }
                g.Initializer.Remove(b);
                string bName = Add(g, Tensor($"{b.Name}.int32", TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(bq.AsSpan()), b.Dims));
                string bScaleName = Add(g, Tensor($"{b.Name}.scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(bScale.AsSpan()), b.Dims));
                string bZero = Add(g, Tensor($"{b.Name}.zero", TensorProto.Types.DataType.Int32, new byte[4 * bias.Length], b.Dims));
                var bdq = Node("DequantizeLinear", $"{b.Name}.dq", [bName, bScaleName, bZero]);
                bdq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
                weightNodes.Add(bdq);
                conv.Input[2] = bdq.Output[0];
            }
        }

        // topological order: weight dequantisation first, the input's Q/DQ next, each tensor's Q/DQ right after its producer
        var nodes = new List<NodeProto>(weightNodes);
        foreach (var (point, pair) in qdqNodes)
            if (!g.Node.Any(n => n.Output.Contains(point))) nodes.AddRange(pair);
        foreach (var node in g.Node)
        {
            nodes.Add(node);
            foreach (string output in node.Output)
                if (qdqNodes.TryGetValue(output, out var pair)) nodes.AddRange(pair);
        }
        g.Node.Clear();
        g.Node.AddRange(nodes);
        return (quantized, new QuantizationReport(convs.Count, points.Count, calibration.Count, values));
    }

    /// <summary>Minimum and maximum of every tensor in <paramref name="points"/> over all calibration batches, by running the float model
    /// with those tensors as extra outputs.</summary>
    static (Dictionary<string, (float Min, float Max)> Ranges, long Values) Calibrate(ModelProto model, IReadOnlyList<string> points, IReadOnlyList<CalibrationBatch> batches)
    {
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet();
        foreach (string point in points.Where(p => !outputs.Contains(p) && p != OnnxExporter.InputName))
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = point,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        var ranges = points.ToDictionary(p => p, _ => (Min: float.PositiveInfinity, Max: float.NegativeInfinity));
        long count = 0;
        using var options = OrtSessions.Options(GraphOptimizationLevel.ORT_ENABLE_BASIC);
        using var session = new InferenceSession(probe.ToByteArray(), options);
        var wanted = points.Where(p => p != OnnxExporter.InputName).ToArray();
        foreach (var batch in batches)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(batch.Data, batch.Shape);
            using var run = new RunOptions();
            using var results = session.Run(run, [OnnxExporter.InputName], [input], wanted);
            for (int k = 0; k < wanted.Length; k++) Extend(wanted[k], results[k].GetTensorDataAsSpan<float>());
            if (ranges.ContainsKey(OnnxExporter.InputName)) Extend(OnnxExporter.InputName, batch.Data);
            count += batch.Data.LongLength;
        }
        return (ranges, count);

        void Extend(string name, ReadOnlySpan<float> values)
        {
            var (min, max) = ranges[name];
            foreach (float v in values)
            {
                if (v < min) min = v;
                if (v > max) max = v;
            }
            ranges[name] = (min, max);
        }
    }

    static float[] Floats(TensorProto t) =>
        t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();

    static NodeProto Node(string op, string output, string[] inputs)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    static string Add(GraphProto g, TensorProto t)
    {
        g.Initializer.Add(t);
        return t.Name;
    }

    static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> raw, IEnumerable<long> dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    static TensorProto Scalar(string name, float value) => Tensor(name, TensorProto.Types.DataType.Float, BitConverter.GetBytes(value), []);

    static TensorProto ScalarU8(string name, byte value) => Tensor(name, TensorProto.Types.DataType.Uint8, [value], []);
}
