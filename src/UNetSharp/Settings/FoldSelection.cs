using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace UNetSharp.Settings;

/// <summary>
/// Which cross-validation fold a run trains: one fold by its 0-based index, or <see cref="All"/> (nnU-Net's fold "all":
/// every case of the cross-validation, no validation split; depth and post-processing come from the finished
/// cross-validation). Written in config.json as the index (as before "all" existed) or the string "all".
/// </summary>
[JsonConverter(typeof(FoldSelectionJsonConverter))]
public readonly record struct FoldSelection
{
    public const string AllText = "all";

    FoldSelection(int index, bool all) { Index = index; IsAll = all; }

    /// <summary>The fold's index; meaningless for <see cref="All"/>.</summary>
    public int Index { get; }

    public bool IsAll { get; }

    public static FoldSelection All { get; } = new(0, all: true);

    public static implicit operator FoldSelection(int index) => new(index, all: false);

    /// <summary>"all" or a whole number; other text is one line naming <paramref name="name"/>.</summary>
    public static FoldSelection Parse(string text, string name)
    {
        string t = text.Trim();
        if (t.Equals(AllText, StringComparison.OrdinalIgnoreCase)) return All;
        return int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k) ? k
            : throw new ConfigurationException($"{name} must be a fold number (0-based) or 'all', got '{text}'");
    }

    public override string ToString() => IsAll ? AllText : Index.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A fold as a JSON number, "all" as a JSON string; a number in a string is read too.</summary>
public sealed class FoldSelectionJsonConverter : JsonConverter<FoldSelection>
{
    public override FoldSelection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetInt32();
        if (reader.TokenType == JsonTokenType.String)
        {
            try { return FoldSelection.Parse(reader.GetString()!, "'fold'"); }
            catch (ConfigurationException e) { throw new JsonException(e.Message, e); }
        }
        throw new JsonException("'fold' must be a fold number or \"all\"");
    }

    public override void Write(Utf8JsonWriter writer, FoldSelection value, JsonSerializerOptions options)
    {
        if (value.IsAll) writer.WriteStringValue(FoldSelection.AllText);
        else writer.WriteNumberValue(value.Index);
    }
}
