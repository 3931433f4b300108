using System.Globalization;
using System.Text;
using System.Text.Json;
using UNetSharp.IO;

namespace UNetSharp.Metrics;

/// <summary>
/// Per-class aggregation of many <see cref="CaseEvaluation"/>s (see <see cref="ClassSummary"/>), written as JSON
/// (means; NaN as null, since JSON has no NaN) or as CSV (one row per case × class; NaN as "NaN", which pandas reads).
/// </summary>
public sealed class EvaluationSummary
{
    public EvaluationSummary(IEnumerable<CaseEvaluation> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        CaseResults = cases.ToArray();
        Classes = CaseResults.SelectMany(c => c.Classes).GroupBy(r => r.Label).OrderBy(g => g.Key)
            .Select(g => ClassSummary.From(g.Key, g.ToList())).ToArray();
    }

    public IReadOnlyList<CaseEvaluation> CaseResults { get; }

    /// <summary>One summary per label that occurs in any case, by ascending label.</summary>
    public IReadOnlyList<ClassSummary> Classes { get; }

    /// <summary><c>{ "cases": n, "classes": { "1": { "dice": …, …, "nan_hd95": … }, … } }</c>, indented.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("cases", CaseResults.Count);
            json.WriteStartObject("classes");
            foreach (var c in Classes)
            {
                json.WriteStartObject(c.Label.ToString(CultureInfo.InvariantCulture));
                Number(json, "dice", c.Dice);
                Number(json, "iou", c.IoU);
                Number(json, "precision", c.Precision);
                Number(json, "recall", c.Recall);
                Number(json, "hd95", c.Hd95);
                Number(json, "hd100", c.Hd100);
                Number(json, "assd", c.Assd);
                Number(json, "global_dice", c.GlobalDice);
                json.WriteNumber("n", c.Cases);
                json.WriteNumber("nan_dice", c.NanDice);
                json.WriteNumber("nan_precision", c.NanPrecision);
                json.WriteNumber("nan_recall", c.NanRecall);
                json.WriteNumber("nan_hd95", c.NanHd95);
                json.WriteNumber("one_side_empty", c.OneSideEmpty);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name); // NaN (and ∞, which no metric yields) has no JSON form
    }

    public const string CsvHeader = "case,class,tp,fp,fn,tn,dice,iou,precision,recall,hd95,hd100,assd";

    /// <summary>Header plus one row per case × class; a case without id is named by its position (0-based).</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        for (int i = 0; i < CaseResults.Count; i++)
        {
            string id = Escape(CaseResults[i].CaseId ?? i.ToString(CultureInfo.InvariantCulture));
            foreach (var c in CaseResults[i].Classes)
            {
                var o = c.Overlap;
                csv.Append(CultureInfo.InvariantCulture, $"{id},{c.Label},{o.TruePositives},{o.FalsePositives},{o.FalseNegatives},{o.TrueNegatives}");
                foreach (double v in (double[])[o.Dice, o.IoU, o.Precision, o.Recall, c.Distance.Hd95, c.Distance.Hd100, c.Distance.Assd])
                    csv.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
                csv.Append('\n');
            }
        }
        return csv.ToString();
    }

    static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>Writes <see cref="ToJson"/> atomically (a reader never sees half a file).</summary>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Writes <see cref="ToCsv"/> atomically.</summary>
    public void WriteCsv(string path) => AtomicFile.WriteAllText(path, ToCsv());
}
