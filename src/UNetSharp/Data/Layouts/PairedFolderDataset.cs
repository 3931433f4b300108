using UNetSharp.IO;

namespace UNetSharp.Data.Layouts;

/// <summary><c>images/</c> and <c>labels/</c> holding files with the same stem (any supported format, e.g. ISBI 2012 PNGs).</summary>
public sealed class PairedFolderDataset : SegmentationDataset
{
    readonly Dictionary<string, string> images, labels;
    readonly LayoutOptions options;

    PairedFolderDataset(string root, Dictionary<string, string> images, Dictionary<string, string> labels, LayoutOptions options)
        : base(root, images.Keys.Union(labels.Keys).Order(StringComparer.Ordinal).ToList())
    {
        this.images = images; this.labels = labels; this.options = options;
    }

    public override DatasetLayoutKind Kind => DatasetLayoutKind.PairedFolders;

    public static bool Matches(string dir) => Directory.Exists(Path.Combine(dir, "images")) && Directory.Exists(Path.Combine(dir, "labels"));

    public static PairedFolderDataset Open(string root, LayoutOptions options)
    {
        if (!Matches(root)) throw new DataFormatException(root, "expected folders images/ and labels/");
        return new PairedFolderDataset(root, ByStem(Path.Combine(root, "images")), ByStem(Path.Combine(root, "labels")), options);
    }

    /// <summary>Image files of a folder by stem; two files with one stem (a.png and a.tif) are ambiguous.</summary>
    internal static Dictionary<string, string> ByStem(string dir)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(dir).Where(ImageFile.IsSupported).Order(StringComparer.Ordinal))
            if (!result.TryAdd(ImageFile.Stem(file), file))
                throw new DataFormatException(file, $"two image files with stem '{ImageFile.Stem(file)}' in {dir}");
        return result;
    }

    /// <summary>The image and label file of a case; null where one is missing.</summary>
    public (string? Image, string? Label) Files(int index)
    {
        CheckIndex(index);
        string id = CaseIds[index];
        return (images.GetValueOrDefault(id), labels.GetValueOrDefault(id));
    }

    public override (string? Image, string? Label) CaseFilePaths(int index) => Files(index);

    public override SegmentationCase Load(int index)
    {
        var (image, label) = Files(index);
        string id = CaseIds[index];
        if (image is null) throw new DataFormatException(label!, $"label has no image file '{id}.*' in {Path.Combine(Root, "images")}");
        if (label is null) throw new DataFormatException(image, $"image has no label file '{id}.*' in {Path.Combine(Root, "labels")}");
        var pixels = ImageFile.Read(image);
        if (pixels.Shape.Length == 2) pixels = CasePairing.Colour(pixels, options.Gray);
        var labels = ImageFile.ReadLabelFile(label);
        return CasePairing.Combine(id, pixels, image, (CasePairing.MapBinary(labels.Labels, options.BinaryForeground, label), labels.Shape, labels.Spacing), label, labels.Header);
    }

    protected override (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared() => (null, [], null);
}
