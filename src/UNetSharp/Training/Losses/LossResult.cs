using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// The total loss (a graph-attached scalar to call backward on) and its parts as plain numbers for logging: every head
/// loss part summed over heads with the deep-supervision weights, plus "cgm" (λ·BCE of the CGMs) when present.
/// </summary>
public sealed record LossResult(Tensor Total, IReadOnlyDictionary<string, double> Parts);
