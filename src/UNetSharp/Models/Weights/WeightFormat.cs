namespace UNetSharp.Models.Weights;

/// <summary>Weight file formats, chosen by file extension.</summary>
public enum WeightFormat
{
    /// <summary>TorchSharp's own format (Module.save): any other extension, conventionally .dat.</summary>
    TorchSharp,

    /// <summary>Hugging Face safetensors with PyTorch parameter names (.safetensors).</summary>
    Safetensors,

    /// <summary>A PyTorch state dict pickled as torch.save does (.pt, .pth): torch.load reads it.</summary>
    PyTorch,
}

public static class WeightFormats
{
    public static WeightFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => WeightFormat.Safetensors,
        ".pt" or ".pth" => WeightFormat.PyTorch,
        _ => WeightFormat.TorchSharp,
    };
}
