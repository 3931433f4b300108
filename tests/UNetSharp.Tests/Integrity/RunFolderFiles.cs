using System.Text.Json.Nodes;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Training.Checkpoints;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Integrity;

/// <summary>Edits of a run folder's files as a hand, a script or a bad copy would make them.</summary>
public static class RunFolderFiles
{
    /// <summary>Sets one JSON value at a path of object keys ("network", "widths"), keeping the rest of the file.</summary>
    public static void SetJson(string file, JsonNode? value, params string[] path)
    {
        var root = JsonNode.Parse(File.ReadAllText(file))!;
        var node = root;
        foreach (string key in path[..^1]) node = node[key]!;
        node[path[^1]] = value;
        File.WriteAllText(file, root.ToJsonString());
    }

    public static JsonNode? GetJson(string file, params string[] path)
    {
        JsonNode? node = JsonNode.Parse(File.ReadAllText(file));
        foreach (string key in path) node = node?[key];
        return node;
    }

    /// <summary>Replaces <paramref name="checkpoint"/> by an intact checkpoint of another network (<paramref name="change"/>
    /// applied to its own), with fresh weights that fit that network: a foreign model dropped into the folder.</summary>
    public static void ReplaceWithForeignNetwork(string checkpoint, Func<NetworkConfig, NetworkConfig> change)
    {
        var original = CheckpointFile.Read(checkpoint);
        var config = change(original.Network);
        using var net = new SegmentationNetwork(config);
        var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, System.Text.Encoding.UTF8, leaveOpen: true)) net.save(writer);
        CheckpointFile.Write(checkpoint, new Checkpoint
        {
            Network = config, Training = original.Training, State = original.State,
            Weights = weights.ToArray(), OptimizerState = original.OptimizerState, TorchRngState = original.TorchRngState,
        });
    }
}
