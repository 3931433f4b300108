using System.Globalization;
using System.Text;
using UNetSharp.IO;

namespace UNetSharp.Training;

/// <summary>
/// history.csv in the run folder: epoch, lr, train_loss, one column per loss part, val_score, for multi-class runs
/// val_dice_1..val_dice_K (validation Dice per foreground class), seconds. Numbers use the
/// invariant culture and round-trip format, so two identical runs give identical columns (seconds aside).
/// </summary>
public static class HistoryCsv
{
    public const string FileName = RunFolder.HistoryName;

    public static string Format(TrainingState state)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("epoch,lr,train_loss");
        foreach (var part in state.PartNames) text.Append(',').Append(part);
        // per-class columns only when there is more than one foreground class (binary: val_score is that class's Dice)
        int classes = state.History.Max(r => r.ValidationPerClass?.Count) is int k and > 1 ? k : 0;
        text.Append(",val_score");
        for (int c = 1; c <= classes; c++) text.Append(",val_dice_").Append(c.ToString(CultureInfo.InvariantCulture));
        text.Append(",seconds\n");
        foreach (var row in state.History)
        {
            text.Append(row.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',').Append(N(row.LearningRate)).Append(',').Append(N(row.TrainLoss));
            foreach (var part in row.LossParts) text.Append(',').Append(N(part));
            text.Append(',').Append(row.ValidationScore is double v ? N(v) : "");
            for (int c = 0; c < classes; c++) text.Append(',').Append(row.ValidationPerClass is { } d && c < d.Count ? N(d[c]) : "");
            text.Append(',').Append(row.Seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    public static void Write(string runFolder, TrainingState state) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), Format(state));
}
