using UNetSharp.IO;

namespace UNetSharp.Data.Layouts;

/// <summary>
/// Kaggle DSB 2018 nuclei: <c>&lt;id&gt;/images/&lt;id&gt;.png</c> and <c>&lt;id&gt;/masks/*.png</c>, one binary mask per
/// nucleus. A case's label is the semantic mask (1 = nucleus); <see cref="LoadInstances"/> gives ids 1..n in mask-file order.
/// Images are RGB (alpha dropped, gray files replicated) or gray by option.
/// </summary>
public sealed class Dsb2018Dataset : SegmentationDataset
{
    readonly LayoutOptions options;

    Dsb2018Dataset(string root, IReadOnlyList<string> ids, LayoutOptions options) : base(root, ids) => this.options = options;

    public override DatasetLayoutKind Kind => DatasetLayoutKind.Dsb2018;

    /// <summary>The folder holding the case folders: <paramref name="dir"/> itself or its <c>stage1_train</c>.</summary>
    public static string? CaseRoot(string dir)
    {
        foreach (string candidate in new[] { dir, Path.Combine(dir, "stage1_train") })
            if (Directory.Exists(candidate) && Directory.EnumerateDirectories(candidate).Any(IsCaseFolder)) return candidate;
        return null;
    }

    static bool IsCaseFolder(string dir) => Directory.Exists(Path.Combine(dir, "images")) && Directory.Exists(Path.Combine(dir, "masks"));

    /// <summary>A folder with only one of images/ and masks/ is a broken case, listed so that loading it reports the gap.</summary>
    static bool IsPartialCaseFolder(string dir) => Directory.Exists(Path.Combine(dir, "images")) || Directory.Exists(Path.Combine(dir, "masks"));

    public static Dsb2018Dataset Open(string dir, LayoutOptions options)
    {
        string root = CaseRoot(dir) ?? throw new DataFormatException(dir, "expected case folders <id>/images/<id>.png with <id>/masks/");
        var ids = Directory.EnumerateDirectories(root).Where(IsPartialCaseFolder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        return new Dsb2018Dataset(root, ids, options);
    }

    public string ImagePath(int index)
    {
        CheckIndex(index);
        string dir = Path.Combine(Root, CaseIds[index], "images"), exact = Path.Combine(dir, CaseIds[index] + ".png");
        if (File.Exists(exact) || !Directory.Exists(dir)) return exact;
        // <id>.PNG is the same image with a case-variant extension
        return Directory.EnumerateFiles(dir).FirstOrDefault(f => string.Equals(Path.GetFileName(f), CaseIds[index] + ".png", StringComparison.OrdinalIgnoreCase)) ?? exact;
    }

    public IReadOnlyList<string> MaskPaths(int index)
    {
        CheckIndex(index);
        string masks = Path.Combine(Root, CaseIds[index], "masks");
        if (!Directory.Exists(masks)) return [];
        // case-insensitive: a mask saved as .PNG is a mask too, not silently dropped
        return Directory.EnumerateFiles(masks).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
    }

    public override (string? Image, string? Label) CaseFilePaths(int index) => (ImagePath(index), Path.Combine(Root, CaseIds[index], "masks"));

    public override SegmentationCase Load(int index)
    {
        var (image, instances, _) = Read(index);
        var semantic = new int[instances.Length];
        for (int i = 0; i < semantic.Length; i++) semantic[i] = instances[i] > 0 ? 1 : 0;
        return new SegmentationCase(CaseIds[index], image.Data, image.Channels, image.Shape, semantic, image.Spacing);
    }

    /// <summary>The case with its instance label map (ids as <see cref="LoadInstances"/>) as the label, read once.</summary>
    public override SegmentationCase LoadInstanceCase(int index)
    {
        var (image, instances, _) = Read(index);
        return new SegmentationCase(CaseIds[index], image.Data, image.Channels, image.Shape, instances, image.Spacing);
    }

    /// <summary>Masks that cannot be a nucleus of their own: empty ones (no pixel set) and ones whose pixels repeat an
    /// earlier mask's exactly (one nucleus counted twice). Reported by `data check`; loading keeps them (an empty mask
    /// adds nothing, a duplicate is overwritten by the later file).</summary>
    public IReadOnlyList<string> MaskProblems(int index)
    {
        var image = CasePairing.Colour(PngFile.Read(ImagePath(index)), options.Gray, forceRgb: true);
        var problems = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in MaskPaths(index))
        {
            byte[] mask = ReadMask(path, image.Shape);
            if (mask.AsSpan().IndexOfAnyExcept((byte)0) < 0) { problems.Add($"{path}: empty mask (no pixel set)"); continue; }
            for (int i = 0; i < mask.Length; i++) mask[i] = mask[i] != 0 ? (byte)1 : (byte)0;
            string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(mask));
            if (!seen.TryAdd(hash, path)) problems.Add($"{path}: same pixels as {Path.GetFileName(seen[hash])} (one nucleus masked twice)");
        }
        return problems;
    }

    /// <summary>Instance label map [H, W]: 0 background, k for the k-th mask file (ordinal name order); where masks overlap the later one wins.</summary>
    public (int[] Instances, int[] Shape, int Count, long OverlappingPixels) LoadInstances(int index)
    {
        var (image, instances, overlap) = Read(index);
        return (instances, image.Shape, MaskPaths(index).Count, overlap);
    }

    (RasterImage Image, int[] Instances, long Overlap) Read(int index)
    {
        string folder = Path.Combine(Root, CaseIds[index]);
        foreach (string part in new[] { "images", "masks" })
            if (!Directory.Exists(Path.Combine(folder, part))) throw new DataFormatException(folder, $"case folder has no {part}/ folder");
        string imagePath = ImagePath(index);
        if (!File.Exists(imagePath)) throw new DataFormatException(imagePath, "image file missing");
        var image = CasePairing.Colour(PngFile.Read(imagePath), options.Gray, forceRgb: true);
        if (image.Shape.Length != 2) throw new DataFormatException(imagePath, "expected a 2D image");
        var masks = MaskPaths(index);
        if (masks.Count == 0) throw new DataFormatException(Path.Combine(Root, CaseIds[index], "masks"), "no mask files");
        var instances = new int[image.Voxels];
        long overlap = 0;
        for (int k = 0; k < masks.Count; k++)
        {
            // masks are mostly zero: find the set pixels with the vectorised span search instead of testing each one
            byte[] mask = ReadMask(masks[k], image.Shape);
            for (int i = mask.AsSpan().IndexOfAnyExcept((byte)0); i >= 0;)
            {
                if (instances[i] != 0) overlap++;
                instances[i] = k + 1;
                int next = mask.AsSpan(i + 1).IndexOfAnyExcept((byte)0);
                i = next < 0 ? -1 : i + 1 + next;
            }
        }
        return (image, instances, overlap);
    }

    /// <summary>A mask as one byte per pixel, non-zero = inside; 16-bit or colour masks go through the general label reader.</summary>
    static byte[] ReadMask(string path, int[] imageShape)
    {
        byte[] mask;
        int[] shape;
        if (PngFile.TryReadByteLabels(path) is var (pixels, height, width)) { mask = pixels; shape = [height, width]; }
        else
        {
            var (labels, s, _) = ImageFile.ReadLabels(path);
            mask = labels.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
            shape = s;
        }
        if (!shape.SequenceEqual(imageShape))
            throw new DataFormatException(path, $"mask shape [{string.Join(",", shape)}] does not match image shape [{string.Join(",", imageShape)}]");
        return mask;
    }

    protected override (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared() =>
        (new Dictionary<int, string> { [0] = "background", [1] = "nucleus" }, ["microscopy"], options.Gray ? 1 : 3);
}
