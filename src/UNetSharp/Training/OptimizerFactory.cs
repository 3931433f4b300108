using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UNetSharp.Training;

/// <summary>Builds the configured optimiser. Adam, AdamW and SGD all derive from OptimizerHelper, whose binary state dict holds the moments and step counts.</summary>
public static class OptimizerFactory
{
    public static OptimizerHelper Create(IEnumerable<Parameter> parameters, TrainingConfig config) => config.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, lr: config.LearningRate, weight_decay: config.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, lr: config.LearningRate, weight_decay: config.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(parameters, config.LearningRate, momentum: config.Momentum, weight_decay: config.WeightDecay, nesterov: config.Nesterov && config.Momentum > 0),
        _ => throw new ConfigurationException($"unknown optimiser {config.Optimizer}"),
    };

    public static void SetLearningRate(OptimizerHelper optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }
}
