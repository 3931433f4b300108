using UNetSharp.Data.Augmentation;
using static TorchSharp.torch;

namespace UNetSharp.Data.Sampling;

/// <summary>
/// Builds the batch at a position as a pure function of (source, options, position): cases, patches and
/// augmentation all draw from one Random seeded by (seed, epoch, batch). The loader's threads only run this.
/// </summary>
public sealed class BatchBuilder
{
    private readonly ICaseSource _source;
    private readonly LoaderOptions _options;
    private readonly PatchSampler _sampler;
    /// <summary>2D patches from volumes (a 2D network trained on slices): a [1, h, w] patch, i.e. part of one slice of the
    /// volume's slowest axis; its values are the [h, w] patch as they are.</summary>
    private readonly PatchSampler? _sliceSampler;

    public BatchBuilder(ICaseSource source, LoaderOptions options)
    {
        options.Validate();
        if (source.Count == 0) throw new UNetSharpException("the training set is empty");
        _source = source; _options = options;
        _sampler = new PatchSampler(options.PatchSize, options.ForegroundRatio, options.ImagePadding);
        if (options.PatchSize.Length == 2) _sliceSampler = new PatchSampler([1, .. options.PatchSize], options.ForegroundRatio, options.ImagePadding);
    }

    public Batch Build(LoaderPosition position)
    {
        var random = new Random(DeterministicSeed.Mix(_options.Seed, position.Epoch, position.Batch));
        var patches = new Patch[_options.BatchSize];
        for (int i = 0; i < patches.Length; i++)
        {
            var c = _source.Load(random.Next(_source.Count));
            patches[i] = (c.Dimensions == 3 && _sliceSampler is not null ? _sliceSampler : _sampler).Sample(c, random);
            if (patches[i].Channels != patches[0].Channels)
                throw new UNetSharpException($"{c.Id}: has {c.Channels} channels, {patches[0].CaseId} has {patches[0].Channels}");
        }

        using var scope = NewDisposeScope();
        long[] spatial = [.. _options.PatchSize.Select(s => (long)s)];
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        foreach (var p in patches)
        {
            var image = tensor(p.Image, [p.Channels, .. spatial]);
            var label = tensor(p.Label, spatial).to(ScalarType.Int64);
            if (_options.Augmentation is { } augmentation) (image, label) = augmentation.Apply(image, label, random);
            images.Add(image); labels.Add(label);
        }
        var batchImage = stack(images).MoveToOuterDisposeScope();
        var batchLabel = stack(labels).MoveToOuterDisposeScope();
        return new Batch(batchImage, batchLabel, position, [.. patches.Select(p => p.CaseId)]);
    }
}
