using TorchSharp;

namespace UNetSharp.Inference;

/// <summary>The CPU thread count libtorch uses for one operation (intra-op parallelism), process-wide.</summary>
public static class InferenceThreads
{
    public static int Current => torch.get_num_threads();

    /// <summary>Sets the intra-op thread count; 0 or less means one per logical processor.</summary>
    public static void Set(int threads)
    {
        torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
    }
}
