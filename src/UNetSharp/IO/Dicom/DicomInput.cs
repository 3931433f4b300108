namespace UNetSharp.IO.Dicom;

/// <summary>
/// How a DICOM input is named where the rest of UNetSharp expects one path per image: a series folder, a DICOMDIR or a
/// .dcm file stands for its one series; a folder of several series expands to one entry per SeriesInstanceUID,
/// written <c>folder#series=UID</c>. Outputs are NIfTI named after the folder (one series) or the UID (several).
/// </summary>
public static class DicomInput
{
    public const string SeriesMarker = "#series=";

    public static (string Location, string? SeriesUid) Split(string path)
    {
        int i = path.LastIndexOf(SeriesMarker, StringComparison.Ordinal);
        return i < 0 ? (path, null) : (path[..i], path[(i + SeriesMarker.Length)..]);
    }

    /// <summary>True for a series folder, DICOMDIR, .dcm file or <c>folder#series=UID</c> entry.</summary>
    public static bool Is(string path)
    {
        var (location, uid) = Split(path);
        if (uid is not null) return Directory.Exists(location) || File.Exists(location);
        if (Directory.Exists(location)) return !Directory.EnumerateFiles(location).Any(ImageFile.IsSupported) && DicomSeries.IsDicomInput(location);
        return location.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(location).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase)
            || File.Exists(location) && !ImageFile.IsSupported(location) && DicomFile.LooksLikeDicom(location);
    }

    /// <summary>The entries of one DICOM input: itself when it holds one series, else one per SeriesInstanceUID.</summary>
    public static IReadOnlyList<string> Expand(string path)
    {
        if (Split(path).SeriesUid is not null) return [path];
        var series = DicomSeries.Scan(path);
        return series.Count == 1 ? [path] : series.Select(s => path + SeriesMarker + s.SeriesUid).ToList();
    }

    public static RasterImage Read(string path)
    {
        var (location, uid) = Split(path);
        return DicomSeries.Read(location, uid);
    }

    /// <summary>Output stem: the UID of a chosen series, else the folder's (or file's) name.</summary>
    public static string Name(string path)
    {
        var (location, uid) = Split(path);
        if (uid is not null) return uid;
        string full = Path.GetFullPath(location).TrimEnd(Path.DirectorySeparatorChar);
        if (Path.GetFileName(full).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase)) return Path.GetFileName(Path.GetDirectoryName(full)!);
        return Directory.Exists(full) ? Path.GetFileName(full) : Path.GetFileNameWithoutExtension(full);
    }
}
