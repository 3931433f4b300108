namespace UNetSharp.Data.Preprocessing;

/// <summary>Applies per-channel normalisations to a case, returning a new case (the input is not modified).</summary>
public static class CaseNormalizer
{
    /// <param name="perChannel">One normalisation per channel, or a single one used for all channels.</param>
    public static SegmentationCase Normalize(SegmentationCase c, IReadOnlyList<IChannelNormalization> perChannel)
    {
        if (perChannel.Count != 1 && perChannel.Count != c.Channels)
            throw new ConfigurationException($"{c.Id}: {perChannel.Count} normalisations given for {c.Channels} channels");
        var image = (float[])c.Image.Clone();
        var result = new SegmentationCase(c.Id, image, c.Channels, c.Shape, c.Label, c.Spacing);
        for (int ch = 0; ch < c.Channels; ch++)
            perChannel[perChannel.Count == 1 ? 0 : ch].Apply(IntensityStatistics.ChannelSpan(result, ch));
        return result;
    }

    public static SegmentationCase Normalize(SegmentationCase c, IChannelNormalization all) => Normalize(c, [all]);
}
