using System.Text.Json.Serialization;

namespace UNetSharp.Training;

/// <summary>How the learning rate falls after warm-up: cosine annealing to the floor, or nnU-Net's polynomial decay
/// (1 − progress)^0.9, laid out so that the last step runs at the floor.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
public enum ScheduleKind { Cosine, Poly }
