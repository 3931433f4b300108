namespace UNetSharp.Data.Preprocessing;

/// <summary>Normalises the intensities of one image channel in place.</summary>
public interface IChannelNormalization
{
    void Apply(Span<float> channel);
}
