using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using UNetSharp.IO;
using static TorchSharp.torch;

namespace UNetSharp.Models.Weights;

/// <summary>
/// Saves and loads network weights in TorchSharp, safetensors and PyTorch (torch.save state dict) formats, with
/// PyTorch-style names (conv0_0.conv1.weight, final1.conv.weight, ...) so a state dict moves to and from PyTorch.
/// Every load checks names and shapes first and fails with one line naming the file and the tensor; writes are
/// atomic (temp file + rename).
/// </summary>
public static class ModelWeights
{
    public static void Save(nn.Module module, string path)
    {
        var format = WeightFormats.FromPath(path);
        AtomicFile.Write(path, stream =>
        {
            switch (format)
            {
                case WeightFormat.Safetensors: module.save_safetensors(stream, leaveOpen: true); break;
                case WeightFormat.PyTorch: module.save_py(stream, leaveOpen: true); break;
                default:
                    using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) module.save(writer);
                    break;
            }
        });
    }

    /// <summary>Loads weights into <paramref name="module"/>; the file must hold exactly the module's tensors with the same shapes.</summary>
    public static void Load(nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "weight file not found");
        var expected = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var format = WeightFormats.FromPath(path);
        if (format == WeightFormat.TorchSharp)
        {
            CheckShapes(path, expected, TorchSharpWeightHeader.ReadShapes(path));
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            module.load(reader, strict: true);
            return;
        }
        using var scope = NewDisposeScope();
        var tensors = ReadStateDict(path, format);
        CheckShapes(path, expected, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape));
        using var noGrad = no_grad();
        var state = module.state_dict();
        foreach (var (name, target) in state)
        {
            var source = tensors[name];
            if (source.dtype != target.dtype && !(source.is_floating_point() && target.is_floating_point()) && name.EndsWith("num_batches_tracked", StringComparison.Ordinal) == false)
                throw new DataFormatException(path, $"tensor '{name}' has type {source.dtype}, the network needs {target.dtype}");
            if (source.is_floating_point() && !torch.isfinite(source).all().item<bool>())
                throw new DataFormatException(path, $"tensor '{name}' contains NaN or infinite values");
            target.copy_(source.to_type(target.dtype));
        }
    }

    static Dictionary<string, Tensor> ReadStateDict(string path, WeightFormat format)
    {
        try
        {
            using var stream = File.OpenRead(path);
            if (format == WeightFormat.Safetensors) return Safetensors.LoadStateDict(stream, leaveOpen: false);
            var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false);
            var result = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry entry in table)
                if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
            return result;
        }
        catch (Exception e) when (e is not DataFormatException and not OutOfMemoryException)
        {
            // The readers throw assorted exception types on corrupt input; report one clear line instead.
            throw new DataFormatException(path, $"cannot read {format} weights: {UNetSharpException.OneLine(e.Message.Split('\n')[0], 160)}", e);
        }
    }

    static void CheckShapes(string path, Dictionary<string, long[]> expected, Dictionary<string, long[]> found)
    {
        foreach (var (name, shape) in expected)
        {
            if (!found.TryGetValue(name, out var actual))
                throw new DataFormatException(path, $"missing tensor '{name}' (shape [{string.Join(", ", shape)}]); is the file for another architecture or configuration?");
            if (!actual.SequenceEqual(shape))
                throw new DataFormatException(path, $"tensor '{name}' has shape [{string.Join(", ", actual)}], the configured network needs [{string.Join(", ", shape)}]");
        }
        var extra = found.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (extra.Count > 0)
            throw new DataFormatException(path, $"unexpected tensor '{extra[0]}'{(extra.Count > 1 ? $" and {extra.Count - 1} more" : "")}; is the file for another architecture or configuration?");
    }
}
