using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UNetSharp.IO;
using UNetSharp.Models;

namespace UNetSharp.Training.Checkpoints;

/// <summary>
/// The checkpoint file: "UNSCKPT1", int32 version, int64 payload length, payload, SHA-256 of the payload. The payload is
/// named sections (meta.json, weights, optimizer, rng). Written atomically (temp file + rename), so a crash leaves the old
/// file; read whole and verified (length and hash) before anything is parsed, so a truncated or damaged file fails with
/// a <see cref="DataFormatException"/> naming it, never with a half-loaded model.
/// </summary>
public static class CheckpointFile
{
    const string Magic = "UNSCKPT1";
    const int Version = 1;
    const int HashBytes = 32;
    const int HeaderBytes = 8 + 4 + 8;

    sealed record Meta(string Format, NetworkConfig Network, TrainingConfig Training, TrainingState State);

    public static void Write(string path, Checkpoint checkpoint)
    {
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            var sections = new (string Name, byte[] Bytes)[]
            {
                ("meta.json", JsonSerializer.SerializeToUtf8Bytes(new Meta("unetsharp-checkpoint", checkpoint.Network, checkpoint.Training, checkpoint.State), ProjectJson.Options)),
                ("weights", checkpoint.Weights),
                ("optimizer", checkpoint.OptimizerState),
                ("rng", checkpoint.TorchRngState),
            };
            writer.Write(sections.Length);
            foreach (var (name, bytes) in sections)
            {
                writer.Write(name);
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }
        byte[] body = payload.ToArray();
        byte[] hash = SHA256.HashData(body);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(Version);
            writer.Write((long)body.Length);
            writer.Write(body);
            writer.Write(hash);
        });
    }

    public static Checkpoint Read(string path)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new UNetSharpException($"{path}: no such checkpoint"); }
        catch (DirectoryNotFoundException) { throw new UNetSharpException($"{path}: no such checkpoint"); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read checkpoint: {e.Message}", e); }

        if (file.Length < HeaderBytes || Encoding.ASCII.GetString(file, 0, 8) != Magic)
            throw new DataFormatException(path, "not a UNetSharp checkpoint (bad signature)");
        int version = BitConverter.ToInt32(file, 8);
        if (version != Version) throw new DataFormatException(path, $"checkpoint version {version} is not supported (this build reads version {Version})");
        long length = BitConverter.ToInt64(file, 12);
        if (length < 0 || HeaderBytes + length + HashBytes != file.LongLength)
            throw new DataFormatException(path, $"checkpoint is truncated or padded: {file.LongLength} bytes, the header announces {HeaderBytes + length + HashBytes}");
        var body = new ReadOnlySpan<byte>(file, HeaderBytes, (int)length);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(new ReadOnlySpan<byte>(file, HeaderBytes + (int)length, HashBytes)))
            throw new DataFormatException(path, "checkpoint is corrupt (SHA-256 mismatch)");

        var sections = ReadSections(path, file, HeaderBytes, (int)length);
        Meta meta;
        try { meta = JsonSerializer.Deserialize<Meta>(Need(path, sections, "meta.json"), ProjectJson.Options) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new DataFormatException(path, $"checkpoint metadata is invalid: {e.Message}", e); }
        if (meta.Format != "unetsharp-checkpoint" || meta.Network is null || meta.Training is null || meta.State is null)
            throw new DataFormatException(path, "checkpoint metadata is incomplete");
        return new Checkpoint
        {
            Network = meta.Network,
            Training = meta.Training,
            State = meta.State,
            Weights = Need(path, sections, "weights"),
            OptimizerState = Need(path, sections, "optimizer"),
            TorchRngState = Need(path, sections, "rng"),
        };
    }

    /// <summary>The network a checkpoint holds, built from its configuration with its weights (for inference or export).</summary>
    public static SegmentationNetwork LoadModel(string path) => BuildModel(path, Read(path));

    /// <summary>A fresh network with the checkpoint's weights; disposed again if the weights do not fit.</summary>
    public static SegmentationNetwork BuildModel(string path, Checkpoint checkpoint)
    {
        var model = new SegmentationNetwork(checkpoint.Network);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(checkpoint.Weights));
            model.load(reader, strict: true);
            return model;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model.Dispose();
            throw new DataFormatException(path, $"checkpoint weights do not fit its network configuration: {e.Message}", e);
        }
    }

    static Dictionary<string, byte[]> ReadSections(string path, byte[] file, int offset, int length)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(file, offset, length), Encoding.UTF8);
            int count = reader.ReadInt32();
            var sections = new Dictionary<string, byte[]>();
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                long size = reader.ReadInt64();
                if (size < 0 || size > length) throw new EndOfStreamException($"section {name} claims {size} bytes");
                byte[] bytes = reader.ReadBytes((int)size);
                if (bytes.Length != size) throw new EndOfStreamException($"section {name} is cut short");
                sections[name] = bytes;
            }
            return sections;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            throw new DataFormatException(path, $"checkpoint sections are malformed: {e.Message}", e);
        }
    }

    static byte[] Need(string path, Dictionary<string, byte[]> sections, string name) =>
        sections.TryGetValue(name, out var bytes) ? bytes : throw new DataFormatException(path, $"checkpoint lacks its '{name}' section");
}
