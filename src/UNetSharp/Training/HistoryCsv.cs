using System.Globalization;
using System.Text;
using UNetSharp.IO;

namespace UNetSharp.Training;

/// <summary>
/// history.csv in the run folder: epoch, lr, train_loss, one column per loss part, val_score, seconds. Numbers use the
/// invariant culture and round-trip format, so two identical runs give identical columns (seconds aside).
/// </summary>
public static class HistoryCsv
{
    public const string FileName = "history.csv";

    public static string Format(TrainingState state)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("epoch,lr,train_loss");
        foreach (var part in state.PartNames) text.Append(',').Append(part);
        text.Append(",val_score,seconds\n");
        foreach (var row in state.History)
        {
            text.Append(row.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',').Append(N(row.LearningRate)).Append(',').Append(N(row.TrainLoss));
            foreach (var part in row.LossParts) text.Append(',').Append(N(part));
            text.Append(',').Append(row.ValidationScore is double v ? N(v) : "").Append(',').Append(row.Seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    public static void Write(string runFolder, TrainingState state) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), Format(state));
}
