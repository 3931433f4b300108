using System.Text.Json.Serialization;

namespace UNetSharp.Training;

/// <summary>Adam (L2 weight decay in the gradient), AdamW (decoupled weight decay) or SGD (momentum, optionally Nesterov: nnU-Net's choice).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind { Adam, Sgd, [JsonStringEnumMemberName("adamw")] AdamW }
