namespace UNetSharp.Models.Topology;

/// <summary>
/// A node X^{i,j} of the UNet grid: <see cref="Level"/> i is the resolution (0 = full, i = 1/2^i), <see cref="Column"/>
/// j the decoder column (0 = encoder). <see cref="Input"/> stands for the network's input image.
/// </summary>
public readonly record struct NodeId(int Level, int Column)
{
    /// <summary>The network input (full resolution, feeds X^{0,0}).</summary>
    public static readonly NodeId Input = new(0, -1);

    public bool IsInput => Column < 0;

    /// <summary>PyTorch-style module name, as pytorch-nested-unet and the UNet# authors' code: conv{i}_{j}.</summary>
    public string ModuleName => $"conv{Level}_{Column}";

    public override string ToString() => IsInput ? "input" : $"X{Level},{Column}";
}
