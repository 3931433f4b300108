using System.Text.Json.Serialization;

namespace UNetSharp.Training;

[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind { Adam, Sgd }
