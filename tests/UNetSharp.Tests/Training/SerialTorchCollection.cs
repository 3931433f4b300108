namespace UNetSharp.Tests.Training;

/// <summary>
/// Tests that seed torch's default generator (to build a network with known weights, or to compare whole training runs
/// bitwise), set the thread count, or measure process memory. Generator, thread count and resident memory are
/// process-wide, so these run alone, after the parallel tests, where no other test can draw from the generator
/// mid-run or allocate under a measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    public const string Name = "serial torch";
}
