namespace UNetSharp.Data.Layouts;

public enum DatasetLayoutKind
{
    /// <summary>Detect from the folder's contents.</summary>
    Auto,
    /// <summary><c>images/</c> + <c>labels/</c>, matched by file stem (ISBI 2012 style).</summary>
    PairedFolders,
    /// <summary>Kaggle DSB 2018: <c>&lt;id&gt;/images/&lt;id&gt;.png</c> + <c>&lt;id&gt;/masks/*.png</c>, one mask per instance.</summary>
    Dsb2018,
    /// <summary>Medical Segmentation Decathlon / nnU-Net: <c>imagesTr/</c>, <c>labelsTr/</c>, optional <c>dataset.json</c>.</summary>
    Msd,
}
