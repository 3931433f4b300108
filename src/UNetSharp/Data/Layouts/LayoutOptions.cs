namespace UNetSharp.Data.Layouts;

public sealed record LayoutOptions
{
    public DatasetLayoutKind Kind { get; init; } = DatasetLayoutKind.Auto;

    /// <summary>In binary 0/255 label images, the pixel value that is foreground (class 1); the other one is background.
    /// 255 by default (ISBI: cell interior); 0 makes the ISBI membranes the foreground.</summary>
    public int BinaryForeground { get; init; } = 255;

    /// <summary>Convert colour images to one gray channel (BT.601 luma) instead of keeping RGB as 3 channels. Alpha is always dropped.</summary>
    public bool Gray { get; init; }

    public static LayoutOptions Default { get; } = new();
}
