using static TorchSharp.torch;

namespace UNetSharp;

/// <summary>
/// Saves libtorch's process-wide settings that a library call may need to change (the intra-op thread count and the
/// default random generator's state) and puts them back on dispose, so the caller finds them as they were: a
/// training run seeds the generator for its own initialisation and dropout, and may use its own thread count, without
/// moving the caller's random stream or thread pool. Grad mode needs no saving here: every change of it in the library
/// is a scoped <c>using no_grad()</c> / <c>enable_grad()</c>, which restores it.
/// </summary>
internal sealed class TorchStateScope : IDisposable
{
    readonly int threads = get_num_threads();
    readonly Tensor generator = random.get_rng_state();

    public static TorchStateScope Save() => new();

    public void Dispose()
    {
        if (get_num_threads() != threads) set_num_threads(threads);
        random.set_rng_state(generator);
        generator.Dispose();
    }
}
