using System.Text.RegularExpressions;
using UNetSharp.IO;

namespace UNetSharp.Data.Layouts;

/// <summary>
/// Medical Segmentation Decathlon / nnU-Net layout: <c>imagesTr/</c> and <c>labelsTr/</c>. Cases come from
/// <c>dataset.json</c>'s "training" list (MSD), or from the folder: <c>case.nii.gz</c> with a label of the same name (MSD,
/// channels as a 4th dimension), else <c>case_0000.nii.gz</c>, <c>case_0001.nii.gz</c>, ... as channels of one case
/// (nnU-Net v2). Works without a dataset.json; paths in one may not leave the data set folder.
/// </summary>
public sealed partial class MsdDataset : SegmentationDataset
{
    readonly IReadOnlyList<(string[] Images, string? Label)> files;
    readonly DatasetJson? json;

    MsdDataset(string root, IReadOnlyList<(string Id, string[] Images, string? Label)> cases, DatasetJson? json)
        : base(root, cases.Select(c => c.Id).ToList())
    {
        files = cases.Select(c => (c.Images, c.Label)).ToList();
        this.json = json;
    }

    public override DatasetLayoutKind Kind => DatasetLayoutKind.Msd;

    public static bool Matches(string dir) => Directory.Exists(Path.Combine(dir, "imagesTr")) || File.Exists(Path.Combine(dir, "dataset.json"));

    [GeneratedRegex(@"^(.+)_(\d{4})$")]
    internal static partial Regex ChannelSuffix();

    /// <summary>nnU-Net channel files of the case whose channel 0 is <paramref name="channelZero"/> (case_0000.ext):
    /// case_0000, case_0001, ... up to <paramref name="channels"/>; a missing one is refused naming the case, and so is a
    /// case_NNNN beyond them (an extra channel the model was not trained with).</summary>
    public static string[] ChannelFiles(string channelZero, int channels)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(channelZero))!, stem = ImageFile.Stem(channelZero), ext = Path.GetFileName(channelZero)[stem.Length..];
        string id = stem[..^5];
        var files = Enumerable.Range(0, channels).Select(c => Path.Combine(dir, $"{id}_{c:D4}{ext}")).ToArray();
        var missing = files.FirstOrDefault(f => !File.Exists(f));
        if (missing is not null) throw new DataFormatException(channelZero, $"case '{id}' has no channel file {Path.GetFileName(missing)}; the model expects {channels} channels ({id}_0000..{id}_{channels - 1:D4}{ext})");
        string extra = Path.Combine(dir, $"{id}_{channels:D4}{ext}");
        if (File.Exists(extra)) throw new DataFormatException(channelZero, $"case '{id}' has an extra channel file {Path.GetFileName(extra)}; the model expects {channels} channels");
        return files;
    }

    public static MsdDataset Open(string root, LayoutOptions options)
    {
        string jsonPath = Path.Combine(root, "dataset.json");
        var json = File.Exists(jsonPath) ? DatasetJson.Read(jsonPath, root) : null;
        if (json?.Training is { } training)
        {
            var listed = training.Select(t => (Id: ImageFile.Stem(t.Image), Images: new[] { t.Image }, t.Label)).ToList();
            var duplicate = listed.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new DataFormatException(jsonPath, $"case '{duplicate.Key}' is listed twice");
            return new MsdDataset(root, listed, json);
        }
        string imagesDir = Path.Combine(root, "imagesTr"), labelsDir = Path.Combine(root, "labelsTr");
        if (!Directory.Exists(imagesDir)) throw new DataFormatException(root, "expected folder imagesTr/");
        bool Wanted(string f) => json?.FileEnding is { } e ? f.EndsWith(e, StringComparison.OrdinalIgnoreCase) : ImageFile.IsSupported(f);
        var images = Directory.EnumerateFiles(imagesDir).Where(Wanted).Order(StringComparer.Ordinal).ToList();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(labelsDir))
            foreach (string label in Directory.EnumerateFiles(labelsDir).Where(Wanted).Order(StringComparer.Ordinal))
                if (!labels.TryAdd(ImageFile.Stem(label), label)) // a.nii and a.nii.gz, or a.nii.gz and a.NII.GZ
                    throw new DataFormatException(label, $"two label files for case '{ImageFile.Stem(label)}' in {labelsDir}: {Path.GetFileName(labels[ImageFile.Stem(label)])} and {Path.GetFileName(label)}");

        var cases = new SortedDictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
        foreach (string image in images)
        {
            string stem = ImageFile.Stem(image);
            var match = ChannelSuffix().Match(stem);
            // a label with the image's own name means one file per case (MSD); otherwise _NNNN is a channel (nnU-Net)
            bool channelFile = match.Success && !labels.ContainsKey(stem) && (json?.IsNnUNetV2 ?? true);
            string id = channelFile ? match.Groups[1].Value : stem;
            int channel = channelFile ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var channels = cases.TryGetValue(id, out var c) ? c : cases[id] = new SortedDictionary<int, string>();
            if (!channels.TryAdd(channel, image)) throw new DataFormatException(image, $"case '{id}' has two files for channel {channel}");
        }
        var list = cases.Select(kv => (Id: kv.Key, Images: WithGaps(kv.Key, kv.Value), Label: labels.GetValueOrDefault(kv.Key))).ToList();
        foreach (var orphan in labels.Keys.Except(cases.Keys).Order(StringComparer.Ordinal))
            list.Add((orphan, [], labels[orphan]));
        return new MsdDataset(root, list.OrderBy(c => c.Id, StringComparer.Ordinal).ToList(), json);
    }

    /// <summary>A case's channel files 0..max in order; a channel without its file (case_0000 and case_0002 but no
    /// case_0001) keeps its expected path, so that loading the case names the missing file instead of stacking the
    /// others as if they were channels 0 and 1.</summary>
    static string[] WithGaps(string id, SortedDictionary<int, string> channels)
    {
        if (channels.Count == 0 || channels.Keys.Last() == channels.Count - 1) return channels.Values.ToArray();
        string any = channels.Values.First(), dir = Path.GetDirectoryName(any)!, ext = Path.GetFileName(any)[ImageFile.Stem(any).Length..];
        return Enumerable.Range(0, channels.Keys.Last() + 1)
            .Select(k => channels.TryGetValue(k, out var file) ? file : Path.Combine(dir, $"{id}_{k:D4}{ext}")).ToArray();
    }

    /// <summary>Image files (one per channel, or one 4D file) and label file of a case.</summary>
    public (IReadOnlyList<string> Images, string? Label) Files(int index)
    {
        CheckIndex(index);
        return (files[index].Images, files[index].Label);
    }

    public override (string? Image, string? Label) CaseFilePaths(int index)
    {
        CheckIndex(index);
        return (files[index].Images.FirstOrDefault(), files[index].Label);
    }

    public override SegmentationCase Load(int index)
    {
        CheckIndex(index);
        var (images, label) = files[index];
        string id = CaseIds[index];
        if (images.Length == 0) throw new DataFormatException(label!, $"label has no image file for case '{id}' in {Path.Combine(Root, "imagesTr")}");
        if (label is null) throw new DataFormatException(images[0], $"image has no label file for case '{id}' in {Path.Combine(Root, "labelsTr")}");
        if (images.FirstOrDefault(f => !File.Exists(f)) is { } gap)
            throw new DataFormatException(gap, $"case '{id}' has no file for this channel, though it has {string.Join(", ", images.Where(File.Exists).Select(Path.GetFileName))}: channel files must be {id}_0000, {id}_0001, ... without gaps");
        var first = ImageFile.Read(images[0]);
        var image = images.Length == 1 ? first : Stack(first, images);
        var labels = ImageFile.ReadLabelFile(label);
        return CasePairing.Combine(id, image, images[0], (labels.Labels, labels.Shape, labels.Spacing), label, labels.Header);
    }

    /// <summary>nnU-Net channel files of one case stacked as channels; they must share one grid.</summary>
    internal static RasterImage Stack(RasterImage first, string[] paths)
    {
        var data = new List<float>(first.Data.Length * paths.Length);
        data.AddRange(first.Data);
        int channels = first.Channels;
        foreach (string path in paths.Skip(1))
        {
            var next = ImageFile.Read(path);
            if (!next.Shape.SequenceEqual(first.Shape) || !CasePairing.SameSpacing(next.Spacing, first.Spacing))
                throw new DataFormatException(path, $"channel shape/spacing [{string.Join(",", next.Shape)}] differs from [{string.Join(",", first.Shape)}] of {Path.GetFileName(paths[0])}");
            data.AddRange(next.Data);
            channels += next.Channels;
        }
        return new RasterImage(data.ToArray(), channels, first.Shape, first.BitDepth, first.Spacing) { Header = first.Header };
    }

    protected override (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared() =>
        (json?.Labels, json?.Modalities ?? [], json is { Modalities.Count: > 0 } ? json.Modalities.Count : null);
}
