using System.Text.Json;
using System.Text.Json.Serialization;

namespace UNetSharp.IO;

/// <summary>
/// The one JSON style of every file the project writes (config.json, plan.json, metrics.json, summaries, benchmark
/// results): snake_case keys (as nnU-Net's plans and dataset.json), enums as snake_case strings, indented. Readers
/// use the same options so what is written reads back unchanged.
/// </summary>
public static class ProjectJson
{
    /// <summary>Options for writing and reading every project JSON file.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    /// <summary>The same style on one line (metadata strings embedded in other files, e.g. ONNX metadata).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json, string file) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new DataFormatException(file, "the JSON file is empty (null)");
}
