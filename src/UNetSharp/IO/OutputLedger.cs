namespace UNetSharp.IO;

/// <summary>
/// Remembers, per output folder, which files UNetSharp may write there (<c>.unetsharp-outputs</c>, one relative path a
/// line), so that a batch command replaces its own earlier outputs but never a file that merely sits where an output
/// would go: `predict --out labels/` must not overwrite the reference labels of the same names. Names are recorded
/// before the files are written, so a run killed half-way can be rerun into the same folder.
/// </summary>
public static class OutputLedger
{
    public const string FileName = ".unetsharp-outputs";

    /// <summary>Refuses when any of <paramref name="outputs"/> (paths inside <paramref name="folder"/>) exists and is not
    /// in the folder's ledger; writes nothing.</summary>
    public static void RefuseForeign(string folder, IEnumerable<string> outputs)
    {
        if (!Directory.Exists(folder)) return;
        var known = Read(folder);
        foreach (string output in outputs)
        {
            if (!File.Exists(output) && !Directory.Exists(output)) continue;
            if (Directory.Exists(output) || !known.Contains(Relative(folder, output)))
                throw new ConfigurationException($"{output} already exists and was not written by UNetSharp into this folder; " +
                    "it is left alone: choose another output folder or move the file");
        }
    }

    /// <summary>Adds <paramref name="outputs"/> to the ledger (before they are written).</summary>
    public static void Record(string folder, IEnumerable<string> outputs)
    {
        var known = Read(folder);
        var added = outputs.Select(o => Relative(folder, o)).Where(known.Add).ToList();
        if (added.Count == 0) return;
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), string.Join("\n", known.Order(StringComparer.Ordinal)) + "\n");
    }

    static HashSet<string> Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        var names = new HashSet<string>(PathGuard.PathComparer);
        if (!File.Exists(path)) return names;
        try
        {
            foreach (string line in File.ReadLines(path))
                if (line.Length > 0) names.Add(line);
        }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read the output ledger ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read the output ledger ({e.Message})", e); }
        return names;
    }

    static string Relative(string folder, string output) => Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(output)).Replace('\\', '/');
}
