using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Onnx;
using UNetSharp.Prediction;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp export`: the trained network, pruned to one depth, as an ONNX model with its plan's preprocessing in the
/// metadata; then ONNX Runtime loads it and its output is compared with TorchSharp's on one random input.
/// </summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    /// <summary>Largest |ONNX − TorchSharp| logit difference accepted by the check after export.</summary>
    public const double Tolerance = 1e-3;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>"), Description("run folder (best.ckpt, else last.ckpt, + plan.json), checkpoint, or weights file with plan.json beside it (required)")]
        public string? Model { get; init; }

        [CommandOption("--out <FILE>"), Description("the .onnx file to write (required)")]
        public string? Out { get; init; }

        [CommandOption("--depth <L>"), Description("depth to export, 1..L (default: the plan's chosen depth, else the full depth L)")]
        public int? Depth { get; init; }

        [CommandOption("--size <SIZE>"), Description("fixed input size, one size or one per axis, e.g. 256 or 256x256 (default: dynamic, any multiple of 2^depth)")]
        public string? Size { get; init; }

        [CommandOption("--probabilities"), Description("also output probabilities (sigmoid for one class, softmax otherwise)")]
        public bool Probabilities { get; init; }

        [CommandOption("--no-check"), Description("skip running the exported model against TorchSharp (one forward pass each at the check size)")]
        public bool NoCheck { get; init; }

        [CommandOption("--int8"), Description("statically quantise to int8 (QDQ: per-channel int8 weights, uint8 activations calibrated on training patches) (default: off, float32)")]
        public bool Int8 { get; init; }

        [CommandOption("--calibration <DIR>"), Description("with --int8: folder of images to calibrate on (default: the run's training cases, from config.json and splits.json)")]
        public string? Calibration { get; init; }

        [CommandOption("--calibration-patches <N>"), Description("with --int8: patches drawn for calibration, at least 1"), DefaultValue(32)]
        public int CalibrationPatches { get; init; } = 32;

        [CommandOption("--threads <N>"), Description("torch and ONNX Runtime threads for the check and calibration, at least 1 (default: all cores)")]
        public int? Threads { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required")
            : !Int8 && Calibration is not null ? ValidationResult.Error("--calibration needs --int8")
            : FlagChecks.First(FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.File("--out", Out), FlagChecks.AtLeast("--calibration-patches", CalibrationPatches, 1), FlagChecks.AtLeast("--threads", Threads, 1));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        TorchThreads.While(settings.Threads, () => Export(settings));

    static int Export(Settings settings)
    {
        OnnxExporter.CheckOutput(settings.Out!);
        // Unfolded: the exporter folds batch norm itself, in double precision, from the original statistics.
        using var model = PredictionModel.Load(settings.Model!, foldBatchNorm: false);
        var network = model.Network;
        int depth = model.DepthFor(settings.Depth);
        long[]? size = settings.Size is null ? null : NetworkSettings.ParseSize(settings.Size, network.Config.Dimensions);
        // the check runs TorchSharp at the fixed size, which needs a multiple of 2^L of the whole network
        var multiples = network.Config.SizeMultiples;
        if (size is not null && !settings.NoCheck && size.Where((s, a) => s % multiples[a] != 0).Any())
            throw new ConfigurationException($"--size {settings.Size}: each axis must be a multiple of {string.Join("x", multiples)} (2^{network.Config.Depth}, or the product of that axis's strides) for this depth-{network.Config.Depth} model (or pass --no-check)");
        var options = new OnnxExportOptions { InputSize = size, Probabilities = settings.Probabilities, Plan = model.Plan, Source = Path.GetFileName(model.WeightsPath) };
        if (settings.Int8) return ExportInt8(settings, model, depth, size, options);
        // written to a temporary file, checked there, and only then renamed: a model that fails the check never appears
        try { OnnxExporter.Export(network, depth, settings.Out!, options, settings.NoCheck ? null : temp => Check(model, depth, size, temp, settings.Out!, settings.Threads)); }
        catch (ConfigurationException e) when (settings.Size is not null && e.Message.StartsWith("input size", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"--size {settings.Size}: {e.Message}");
        }

        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/] ({new FileInfo(settings.Out!).Length / 1e6:F1} MB): " +
            $"{Markup.Escape(network.Topology.Name)} {network.Config.Dimensions}D at depth {depth} of {network.Config.Depth}, opset {OnnxExporter.Opset}, " +
            $"input {(size is null ? "dynamic" : string.Join("x", size))}");
        return 0;
    }

    /// <summary>int8: calibrate, quantise, then (unless --no-check) compare the int8 model's masks with the float model's on the
    /// calibration patches and report how ONNX Runtime runs it; agreement under <see cref="Int8Agreement"/> refuses the file.</summary>
    static int ExportInt8(Settings settings, PredictionModel model, int depth, long[]? size, OnnxExportOptions options)
    {
        if (size is not null)
            throw new ConfigurationException("--int8 exports a dynamic-size model (calibration patches vary in size); drop --size");
        string source = settings.Calibration ?? Path.GetDirectoryName(Path.GetFullPath(model.WeightsPath))!;
        var calibration = settings.Calibration is { } dir
            ? CalibrationData.FromImages(dir, model.Plan, settings.CalibrationPatches)
            : CalibrationData.FromRun(source, model.Plan, settings.CalibrationPatches);
        var report = OnnxExporter.ExportInt8(model.Network, depth, settings.Out!, calibration, options,
            settings.NoCheck ? null : temp => CheckInt8(model, depth, temp, calibration, settings.Out!, settings.Threads), settings.Calibration ?? "the run's training cases");
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/] ({new FileInfo(settings.Out!).Length / 1e6:F3} MB): int8 QDQ, " +
            $"{report.QuantizedConvolutions} convolutions, {report.ActivationPoints} activation ranges from {report.CalibrationBatches} calibration patches, depth {depth} of {model.Network.Config.Depth}");
        return 0;
    }

    /// <summary>Smallest share of calibration voxels whose int8 class must equal the float model's.</summary>
    public const double Int8Agreement = 0.97;

    static void CheckInt8(PredictionModel model, int depth, string path, IReadOnlyList<CalibrationBatch> calibration, string output, int? threads)
    {
        using var onnx = new OnnxPatchPredictor(new OnnxInference(path, threads));
        var reference = new UNetSharp.Inference.TorchPatchPredictor(model.Network);
        long agree = 0, total = 0;
        foreach (var batch in calibration)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var input = TorchSharp.torch.tensor(batch.Data, batch.Shape);
            var a = Classes(reference.Run(input, depth).Logits);
            var b = Classes(onnx.Run(input, depth).Logits);
            agree += a.eq(b).sum().item<long>();
            total += a.numel();
        }
        var operators = OnnxInference.OptimizedOperators(path);
        double share = agree / (double)total;
        AnsiConsole.MarkupLine($"int8 vs float on the calibration patches: same class on {share:P2} of {total} voxels; ONNX Runtime runs " +
            $"{operators.GetValueOrDefault("QLinearConv")} QLinearConv, {operators.GetValueOrDefault("ConvInteger")} ConvInteger, {operators.GetValueOrDefault("Conv")} float Conv");
        if (share < Int8Agreement)
            throw new UNetSharpException($"{output}: int8 model agrees with the float model on {share:P2} of the calibration voxels (< {Int8Agreement:P0}); nothing written");

        static TorchSharp.torch.Tensor Classes(TorchSharp.torch.Tensor logits) => logits.shape[1] == 1 ? logits.ge(0) : logits.argmax(1);
    }

    /// <summary>Runs the (temporary) file with ONNX Runtime and TorchSharp on one random input, at the fixed size, else the
    /// plan's patch; a mismatch throws, so the file is never renamed to <paramref name="output"/>.</summary>
    static void Check(PredictionModel model, int depth, long[]? size, string path, string output, int? threads)
    {
        var network = model.Network;
        var check = size ?? model.Plan.PatchSize.Select(p => (long)p).ToArray();
        var comparison = OnnxVerification.Compare(network, depth, path, check, threads: threads);
        string presence = comparison.MaxPresenceDifference is { } p ? $", presence {p:G2}" : "";
        AnsiConsole.MarkupLine($"ONNX Runtime vs TorchSharp on a random {string.Join("x", check)} input: max |Δ| logits {comparison.MaxLogitsDifference:G2}{presence}");
        double worst = Math.Max(comparison.MaxLogitsDifference, comparison.MaxPresenceDifference ?? 0);
        if (worst <= Tolerance) return;
        throw new UNetSharpException($"{output}: exported model differs from the network by {worst:G3} (> {Tolerance}); nothing written");
    }
}
