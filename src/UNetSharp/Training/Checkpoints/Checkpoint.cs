using UNetSharp.Models;

namespace UNetSharp.Training.Checkpoints;

/// <summary>
/// Everything needed to continue a run exactly or to rebuild its network: configurations and position (JSON), and the
/// serialised model weights (with batch-norm buffers), optimiser state (Adam moments and step counts, SGD momentum
/// buffers) and torch's default-generator state (dropout in the CGMs). Data order needs no RNG state: batch sources are
/// addressed by (epoch, batch) (see <see cref="IBatchSource"/>).
/// </summary>
public sealed class Checkpoint
{
    public required NetworkConfig Network { get; init; }
    public required TrainingConfig Training { get; init; }
    public required TrainingState State { get; init; }

    /// <summary>TorchSharp Module.save bytes.</summary>
    public required byte[] Weights { get; init; }

    /// <summary>TorchSharp OptimizerHelper.save_state_dict bytes.</summary>
    public required byte[] OptimizerState { get; init; }

    /// <summary>torch.random.get_rng_state() bytes.</summary>
    public required byte[] TorchRngState { get; init; }
}
