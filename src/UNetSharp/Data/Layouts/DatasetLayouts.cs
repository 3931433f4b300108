namespace UNetSharp.Data.Layouts;

/// <summary>Detects a data set folder's layout and opens it.</summary>
public static class DatasetLayouts
{
    /// <summary>MSD/nnU-Net (imagesTr or dataset.json) first, then images/ + labels/, then DSB case folders.</summary>
    public static DatasetLayoutKind Detect(string dir)
    {
        if (!Directory.Exists(dir)) throw new DataFormatException(dir, "data set folder not found");
        if (MsdDataset.Matches(dir)) return DatasetLayoutKind.Msd;
        if (PairedFolderDataset.Matches(dir)) return DatasetLayoutKind.PairedFolders;
        if (Dsb2018Dataset.CaseRoot(dir) is not null) return DatasetLayoutKind.Dsb2018;
        throw new DataFormatException(dir, "unknown data set layout: expected imagesTr/ + labelsTr/ (MSD, nnU-Net), images/ + labels/, or DSB 2018 case folders <id>/images + <id>/masks");
    }

    public static SegmentationDataset Open(string dir, LayoutOptions? options = null)
    {
        options ??= LayoutOptions.Default;
        var kind = options.Kind == DatasetLayoutKind.Auto ? Detect(dir) : options.Kind;
        try
        {
            return kind switch
            {
                DatasetLayoutKind.Msd => MsdDataset.Open(dir, options),
                DatasetLayoutKind.PairedFolders => PairedFolderDataset.Open(dir, options),
                DatasetLayoutKind.Dsb2018 => Dsb2018Dataset.Open(dir, options),
                _ => throw new ArgumentException($"unknown layout {kind}"),
            };
        }
        catch (IOException e) { throw new DataFormatException(dir, $"cannot list the data set ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(dir, $"cannot list the data set ({e.Message})", e); }
    }
}
