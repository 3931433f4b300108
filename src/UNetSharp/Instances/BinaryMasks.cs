using UNetSharp.Labels;

namespace UNetSharp.Instances;

/// <summary>
/// Guards instance scoring against semantic masks: a map holding only 0 and one other value (1 or 255) reads as
/// "one instance" although it is almost always a binary mask of many objects. Such a map is labelled by face-connected
/// components instead, and the caller warns. (A true instance map with a single instance id 1 is unaffected unless that
/// instance is disconnected.)
/// </summary>
public static class BinaryMasks
{
    /// <summary>True when every value is 0, 1 or 255 and not both 1 and 255, with some foreground: a binary mask's values.</summary>
    public static bool IsBinary(ReadOnlySpan<int> values)
    {
        bool one = false, full = false;
        foreach (int v in values)
        {
            if (v == 0) continue;
            if (v == 1) one = true;
            else if (v == 255) full = true;
            else return false;
        }
        return one ^ full;
    }

    /// <summary>Connected components of the non-zero voxels (ids 1..n in C-order).</summary>
    public static int[] LabelComponents(ReadOnlySpan<int> values, int[] shape)
    {
        var foreground = new bool[values.Length];
        for (int i = 0; i < values.Length; i++) foreground[i] = values[i] != 0;
        return new ConnectedComponents(shape).Label(v => foreground[v]).Ids;
    }
}
