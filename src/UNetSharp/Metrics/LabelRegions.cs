using System.Globalization;

namespace UNetSharp.Metrics;

/// <summary>One region: a name and the label values it unites (regions may overlap, as BraTS's whole tumour ⊃ core ⊃ enhancing).</summary>
public sealed record LabelRegion(string Name, IReadOnlyList<int> Labels)
{
    public bool Contains(int label) => Labels.Contains(label);
}

/// <summary>
/// Overlapping label regions in a declared order (nnU-Net's regions with <c>regions_class_order</c>): label maps to
/// region masks (targets, evaluation) and region masks back to labels: each region, in order, paints its output label
/// over the previous ones, so later (inner) regions win. The output label of a region is the smallest of its labels not
/// in any later region (BraTS 0–4: whole tumour → 2, core → 1, enhancing → 4), the rule that recovers a nested
/// hierarchy's own labels.
/// </summary>
public sealed class LabelRegions
{
    public LabelRegions(IReadOnlyList<LabelRegion> regions)
    {
        if (regions.Count == 0) throw new ConfigurationException("regions: at least one region is needed");
        foreach (var r in regions)
        {
            if (r.Labels.Count == 0) throw new ConfigurationException($"region '{r.Name}' has no labels");
            if (r.Labels.Any(l => l <= 0)) throw new ConfigurationException($"region '{r.Name}' lists label {r.Labels.First(l => l <= 0)}; regions unite foreground labels (> 0)");
        }
        if (regions.Select(r => r.Name).Distinct().Count() != regions.Count) throw new ConfigurationException("regions: two regions share a name");
        Regions = regions;
        OutputLabels = regions.Select((r, i) =>
        {
            var later = regions.Skip(i + 1).SelectMany(x => x.Labels).ToHashSet();
            var own = r.Labels.Where(l => !later.Contains(l)).Order().ToList();
            return own.Count > 0 ? own[0] : throw new ConfigurationException($"region '{r.Name}' lies inside the regions after it; nothing of it would survive the conversion back to labels (order regions outer to inner)");
        }).ToArray();
    }

    public IReadOnlyList<LabelRegion> Regions { get; }

    /// <summary>Label written for each region when converting back (see the class summary).</summary>
    public IReadOnlyList<int> OutputLabels { get; }

    /// <summary>BraTS: whole tumour {1,2,3,4}, tumour core {1,3,4}, enhancing tumour {4}.</summary>
    public static LabelRegions Brats { get; } = new([new("whole tumour", [1, 2, 3, 4]), new("tumour core", [1, 3, 4]), new("enhancing tumour", [4])]);

    /// <summary>Parses "whole tumour=1,2,3,4;tumour core=1,3,4;enhancing tumour=4" (or "brats").</summary>
    public static LabelRegions Parse(string text, string setting = "--regions")
    {
        if (text.Trim().Equals("brats", StringComparison.OrdinalIgnoreCase)) return Brats;
        var regions = new List<LabelRegion>();
        foreach (string part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ConfigurationException($"{setting}: '{part}' is not name=label,label,...");
            var labels = new List<int>();
            foreach (string v in part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                labels.Add(int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int l) ? l : throw new ConfigurationException($"{setting}: '{v}' in region '{part[..eq].Trim()}' is not a whole number"));
            regions.Add(new LabelRegion(part[..eq].Trim(), labels));
        }
        return new LabelRegions(regions);
    }

    /// <summary>Mask (0/1) of region <paramref name="region"/> in a label map.</summary>
    public int[] Mask(ReadOnlySpan<int> labels, int region)
    {
        var r = Regions[region];
        var mask = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) mask[i] = r.Contains(labels[i]) ? 1 : 0;
        return mask;
    }

    /// <summary>Region masks [R, voxels] (flattened, region-major) back to one label map, regions painted in order.</summary>
    public int[] ToLabels(IReadOnlyList<bool[]> masks)
    {
        if (masks.Count != Regions.Count) throw new ArgumentException($"{masks.Count} masks for {Regions.Count} regions");
        int n = masks[0].Length;
        var labels = new int[n];
        for (int r = 0; r < masks.Count; r++)
        {
            if (masks[r].Length != n) throw new ArgumentException("region masks differ in size");
            int value = OutputLabels[r];
            for (int i = 0; i < n; i++) if (masks[r][i]) labels[i] = value;
        }
        return labels;
    }

    public override string ToString() => string.Join(";", Regions.Select(r => $"{r.Name}={string.Join(",", r.Labels)}"));
}
