namespace UNetSharp;

/// <summary>
/// Bad input a user can fix: a file, a data set or a configuration. The message is one line that names the
/// file or setting and the problem; the CLI prints it and exits non-zero instead of showing a stack trace.
/// </summary>
public class UNetSharpException : Exception
{
    public UNetSharpException(string message) : base(message) { }
    public UNetSharpException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Text quoted from elsewhere (a reader's error that may quote bytes of a corrupt file) as one readable line:
    /// line breaks become spaces, control and undecodable characters '?', and it is cut after <paramref name="maxLength"/>.</summary>
    public static string OneLine(string text, int maxLength = 300)
    {
        var line = new System.Text.StringBuilder(Math.Min(text.Length, maxLength + 1));
        foreach (var r in text.EnumerateRunes())
        {
            if (line.Length >= maxLength) return line.Append('…').ToString();
            if (r.Value is '\n' or '\r' or '\t') line.Append(' ');
            else if (System.Text.Rune.IsControl(r) || r == System.Text.Rune.ReplacementChar) line.Append('?');
            else line.Append(r.ToString());
        }
        return line.ToString().TrimEnd();
    }
}

/// <summary>A file that cannot be read as what it claims to be (corrupt, truncated, absurd header, wrong kind).</summary>
public sealed class DataFormatException : UNetSharpException
{
    public DataFormatException(string path, string problem) : base($"{path}: {problem}") { Path = path; Problem = problem; }
    public DataFormatException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) { Path = path; Problem = problem; }

    /// <summary>The file (or data set folder) at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}

/// <summary>A network, training or inference setting that cannot work (unknown architecture, depth too large, ...).</summary>
public sealed class ConfigurationException : UNetSharpException
{
    public ConfigurationException(string message) : base(message) { }
}
