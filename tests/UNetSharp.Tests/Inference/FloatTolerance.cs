namespace UNetSharp.Tests.Inference;

/// <summary>Element-wise float comparison with an absolute tolerance.</summary>
public sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(float value) => 0;
}
