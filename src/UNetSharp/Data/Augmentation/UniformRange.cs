namespace UNetSharp.Data.Augmentation;

/// <summary>A closed interval that parameters are drawn from uniformly.</summary>
public readonly record struct UniformRange(double Min, double Max)
{
    public double Sample(Random random) => Min + (Max - Min) * random.NextDouble();
}
