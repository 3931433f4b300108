namespace UNetSharp.Data.Layouts;

/// <summary>What a data set declares or what its first case shows: spatial dimensions, channels, classes, modalities.</summary>
public sealed record DatasetMetadata(
    int Dimensions,
    int Channels,
    IReadOnlyDictionary<int, string> Classes,
    IReadOnlyList<string> Modalities,
    bool ClassesDeclared);
