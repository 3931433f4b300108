using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace UNetSharp.Onnx;

/// <summary>
/// A thin builder over OnnxSharp's generated ONNX protobuf classes: nodes, float initializers and tensor
/// value infos with unique names, so the exporter reads as the network's structure rather than protobuf plumbing.
/// </summary>
internal sealed class OnnxGraph
{
    readonly HashSet<string> names = new();

    public GraphProto Proto { get; } = new() { Name = "unetsharp" };

    /// <summary>A name not used yet, from a readable stem (conv0_0.conv1 → conv0_0.conv1, then conv0_0.conv1_1, ...).</summary>
    public string Unique(string stem)
    {
        string name = stem;
        for (int k = 1; !names.Add(name); k++) name = $"{stem}_{k}";
        return name;
    }

    /// <summary>Adds a float32 constant (weights, biases) stored as raw little-endian bytes; returns its name.</summary>
    public string Initializer(string stem, float[] values, params long[] dims)
    {
        // ONNX raw_data is little-endian; the bytes are copied as they lie in memory.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine");
        var tensor = new TensorProto { Name = Unique(stem), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds one operator; returns its (single) output's name (the stem itself when still free, as graph outputs need).</summary>
    public string Node(string opType, string outputStem, string[] inputs, params AttributeProto[] attributes)
    {
        string output = Unique(outputStem);
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return output;
    }

    /// <summary>A float32 tensor type; each dimension is a number or a symbolic name (a string is a symbolic, dynamic axis).</summary>
    public static ValueInfoProto FloatTensor(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
