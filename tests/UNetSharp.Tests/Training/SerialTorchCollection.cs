namespace UNetSharp.Tests.Training;

/// <summary>
/// Tests that compare whole training runs bitwise. Torch's default generator (dropout) and thread count are process-wide,
/// so these run alone, after the parallel tests, where no other test can draw from the generator mid-run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    public const string Name = "serial torch";
}
