namespace UNetSharp.Inference;

/// <summary>
/// Where the tiles of a sliding-window prediction go. The image is padded (half before, half after, as nnU-Net)
/// to a multiple of the network's 2^L and to at least the tile size; tile starts per axis are spread evenly so the
/// first tile touches the start and the last the end, with at least the requested overlap (nnU-Net's steps).
/// Tiles are the Cartesian product of the per-axis starts.
/// </summary>
public sealed class TileGrid
{
    TileGrid(int[] imageShape, int[] paddedShape, int[] tileSize, int[][] starts)
    {
        ImageShape = imageShape;
        PaddedShape = paddedShape;
        TileSize = tileSize;
        Starts = starts;
        PadBefore = imageShape.Select((s, a) => (paddedShape[a] - s) / 2).ToArray();
    }

    /// <summary>Spatial shape of the original image.</summary>
    public int[] ImageShape { get; }

    /// <summary>Spatial shape after padding; every axis a multiple of 2^L and at least the tile size.</summary>
    public int[] PaddedShape { get; }

    /// <summary>Padding added before the image per axis (the rest of the pad goes after it).</summary>
    public int[] PadBefore { get; }

    public int[] TileSize { get; }

    /// <summary>Tile starts per axis, in padded coordinates.</summary>
    public int[][] Starts { get; }

    public int TileCount => Starts.Aggregate(1, (n, s) => n * s.Length);

    /// <summary>Every tile's start, slowest axis first.</summary>
    public IEnumerable<int[]> Tiles()
    {
        var index = new int[Starts.Length];
        for (int t = 0; t < TileCount; t++)
        {
            yield return index.Select((i, a) => Starts[a][i]).ToArray();
            for (int a = Starts.Length - 1; a >= 0 && ++index[a] == Starts[a].Length; a--) index[a] = 0;
        }
    }

    /// <param name="imageShape">Spatial shape of the image.</param>
    /// <param name="multiple">The network's size multiple 2^L, the same on every axis.</param>
    /// <param name="tileSize">Requested tile size per axis (multiples of <paramref name="multiple"/>); null: the whole
    /// (padded) image on every axis up to <paramref name="maxTile"/>, then tiles of <paramref name="maxTile"/>.</param>
    /// <param name="maxTile">Largest automatic tile per axis (rounded down to the multiple).</param>
    /// <param name="overlap">Fraction of a tile shared with its neighbour, in [0, 1).</param>
    public static TileGrid Plan(IReadOnlyList<int> imageShape, int multiple, IReadOnlyList<int>? tileSize, int maxTile, double overlap)
    {
        if (multiple <= 0) throw new ArgumentOutOfRangeException(nameof(multiple));
        return Plan(imageShape, Enumerable.Repeat(multiple, imageShape.Count).ToArray(), tileSize, maxTile, overlap);
    }

    /// <summary>As the other overload with one size multiple per axis (anisotropic strides: the product of each axis's strides).</summary>
    public static TileGrid Plan(IReadOnlyList<int> imageShape, IReadOnlyList<int> multiples, IReadOnlyList<int>? tileSize, int maxTile, double overlap)
    {
        if (imageShape.Count is < 2 or > 3 || imageShape.Any(s => s <= 0)) throw new ArgumentException($"image shape must be 2D or 3D with positive sizes, got [{string.Join(", ", imageShape)}]");
        if (multiples.Count != imageShape.Count || multiples.Any(m => m <= 0)) throw new ArgumentOutOfRangeException(nameof(multiples));
        if (overlap is < 0 or >= 1 || double.IsNaN(overlap)) throw new ConfigurationException($"tile overlap must be in [0, 1), got {overlap}");
        if (tileSize is not null && (tileSize.Count != imageShape.Count || tileSize.Where((t, a) => t <= 0 || t % multiples[a] != 0).Any()))
            throw new ConfigurationException(multiples.Distinct().Count() == 1
                ? $"tile size {string.Join("x", tileSize)} must have {imageShape.Count} axes, each a positive multiple of {multiples[0]} (2^depth)"
                : $"tile size {string.Join("x", tileSize)} must have {imageShape.Count} axes, each a positive multiple of {string.Join("x", multiples)} (the product of that axis's strides)");

        int dims = imageShape.Count;
        var padded = new int[dims];
        var tile = new int[dims];
        var starts = new int[dims][];
        for (int a = 0; a < dims; a++)
        {
            int multiple = multiples[a];
            int autoTile = Math.Max(multiple, maxTile / multiple * multiple);
            int toMultiple = RoundUp(imageShape[a], multiple);
            tile[a] = tileSize?[a] ?? Math.Min(toMultiple, autoTile);
            padded[a] = Math.Max(toMultiple, tile[a]);
            starts[a] = AxisStarts(padded[a], tile[a], overlap);
        }
        return new TileGrid(imageShape.ToArray(), padded, tile, starts);
    }

    /// <summary>nnU-Net's steps: the fewest tiles whose step is at most tile·(1 − overlap), spread evenly, rounded.</summary>
    static int[] AxisStarts(int size, int tile, double overlap)
    {
        if (size == tile) return new[] { 0 };
        double targetStep = tile * (1 - overlap);
        int count = (int)Math.Ceiling((size - tile) / targetStep) + 1;
        double step = (double)(size - tile) / (count - 1);
        return Enumerable.Range(0, count).Select(i => (int)Math.Round(step * i, MidpointRounding.AwayFromZero)).ToArray();
    }

    static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
