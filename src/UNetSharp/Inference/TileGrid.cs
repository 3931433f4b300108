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

    /// <summary>Tiles in the grid; <see cref="Plan"/> keeps it within <see cref="MaxTiles"/>.</summary>
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
    /// <param name="multiple">The network's size multiple 2^L.</param>
    /// <param name="tileSize">Requested tile size per axis (multiples of <paramref name="multiple"/>); null: the whole
    /// (padded) image on every axis up to <paramref name="maxTile"/>, then tiles of <paramref name="maxTile"/>.</param>
    /// <param name="maxTile">Largest automatic tile per axis (rounded down to the multiple).</param>
    /// <param name="overlap">Fraction of a tile shared with its neighbour, in [0, 1).</param>
    public static TileGrid Plan(IReadOnlyList<int> imageShape, int multiple, IReadOnlyList<int>? tileSize, int maxTile, double overlap)
    {
        if (imageShape.Count is < 2 or > 3 || imageShape.Any(s => s <= 0)) throw new ArgumentException($"image shape must be 2D or 3D with positive sizes, got [{string.Join(", ", imageShape)}]");
        if (multiple <= 0) throw new ArgumentOutOfRangeException(nameof(multiple));
        if (overlap is < 0 or >= 1 || double.IsNaN(overlap)) throw new ConfigurationException($"tile overlap must be in [0, 1), got {overlap}");
        if (tileSize is not null && (tileSize.Count != imageShape.Count || tileSize.Any(t => t <= 0 || t % multiple != 0)))
            throw new ConfigurationException($"tile size {string.Join("x", tileSize)} must have {imageShape.Count} axes, each a positive multiple of {multiple} (2^depth)");
        int autoTile = Math.Max(multiple, maxTile / multiple * multiple);

        int dims = imageShape.Count;
        var padded = new int[dims];
        var tile = new int[dims];
        var starts = new int[dims][];
        long tiles = 1, paddedVoxels = 1;
        for (int a = 0; a < dims; a++)
        {
            long toMultiple = RoundUp(imageShape[a], multiple);
            if (toMultiple > int.MaxValue) throw new ConfigurationException($"image axis {a} of {imageShape[a]} voxels is too large to tile");
            tile[a] = tileSize?[a] ?? (int)Math.Min(toMultiple, autoTile);
            padded[a] = (int)Math.Max(toMultiple, tile[a]);
            // sizes come from files and settings: products are checked here, never left to wrap or to the allocator
            paddedVoxels = MultiplyWithin(paddedVoxels, padded[a], MaxPaddedVoxels,
                () => $"tile size {string.Join("x", tileSize ?? tile)} on an image of {string.Join("x", imageShape)} needs a padded volume over {MaxPaddedVoxels} voxels");
            long count = AxisTileCount(padded[a], tile[a], overlap);
            tiles = MultiplyWithin(tiles, count, MaxTiles,
                () => $"tile size {string.Join("x", tile.Take(a + 1))} with overlap {overlap} needs over {MaxTiles} tiles for an image of {string.Join("x", imageShape)}; use a larger tile or a smaller overlap");
            starts[a] = AxisStarts(padded[a], tile[a], count);
        }
        return new TileGrid(imageShape.ToArray(), padded, tile, starts);
    }

    /// <summary>Most tiles one image may need (far beyond any sensible tile/overlap choice, far below a wrapped count).</summary>
    public const long MaxTiles = 10_000_000;

    /// <summary>Largest padded image (voxels): one float per voxel and class must fit a tensor the accumulator can hold.</summary>
    public const long MaxPaddedVoxels = int.MaxValue;

    static long MultiplyWithin(long a, long b, long limit, Func<string> message)
    {
        if (b > 0 && a > limit / b) throw new ConfigurationException(message());
        return a * b;
    }

    static long AxisTileCount(int size, int tile, double overlap)
    {
        if (size == tile) return 1;
        double count = Math.Ceiling((size - tile) / (tile * (1 - overlap))) + 1;
        return count > MaxTiles ? MaxTiles + 1 : (long)count;
    }

    /// <summary>nnU-Net's steps: the fewest tiles whose step is at most tile·(1 − overlap), spread evenly, rounded.</summary>
    static int[] AxisStarts(int size, int tile, long tiles)
    {
        if (size == tile) return new[] { 0 };
        int count = (int)tiles;
        double step = (double)(size - tile) / (count - 1);
        return Enumerable.Range(0, count).Select(i => (int)Math.Round(step * i, MidpointRounding.AwayFromZero)).ToArray();
    }

    static long RoundUp(int value, int multiple) => ((long)value + multiple - 1) / multiple * multiple;
}
