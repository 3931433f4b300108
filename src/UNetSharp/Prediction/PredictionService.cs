using UNetSharp.Inference;
using UNetSharp.Instances;
using UNetSharp.Labels;
using UNetSharp.Planning;
using static TorchSharp.torch;

namespace UNetSharp.Prediction;

/// <summary>
/// The one way an input is predicted, whoever asks (`predict` through <see cref="PredictionJob"/>, `serve`, the
/// ensemble benchmark): load the models with an engine (TorchSharp, ONNX Runtime; several = an ensemble), resolve the
/// depth once (<see cref="PredictionModel.DepthFor"/>), run the sliding window (a 2D network over a volume: slice by
/// slice) with gating and TTA, apply the run's post-processing (or the explicit one), decode instances for an instance
/// run, and write the outputs (<see cref="Write"/>). Not safe for concurrent calls: TorchSharp modules run one forward
/// pass at a time, so a server holds one service per worker.
/// </summary>
public sealed class PredictionService : IDisposable
{
    /// <summary>Sliding windows by (depth, TTA): the opened one, and any a request asks for besides.</summary>
    readonly Dictionary<(string Depths, bool Tta), SlidingWindowPredictor> windows = [];

    /// <summary>Instance decoding by depth (the run tunes it per depth).</summary>
    readonly Dictionary<int, InstanceDecodingOptions> decodings = [];

    PredictionService(PredictionServiceOptions options, IReadOnlyList<PredictionModel> models, IReadOnlyList<int> depths, int[] tile, bool instances)
    {
        Options = options; Models = models; Depths = depths; TileSize = tile; Instances = instances;
    }

    public PredictionServiceOptions Options { get; }

    /// <summary>Every model; more than one is an ensemble (probabilities averaged before the label map is taken).</summary>
    public IReadOnlyList<PredictionModel> Models { get; }

    /// <summary>The first model: an ensemble's others agree with it on classes, channels and pre-processing.</summary>
    public PredictionModel Model => Models[0];

    /// <summary>Each model's depth when a request names none, resolved once when the service opens.</summary>
    public IReadOnlyList<int> Depths { get; }

    /// <summary>The first model's default depth.</summary>
    public int Depth => Depths[0];

    public int[] TileSize { get; }

    /// <summary>The service decodes instance maps (the run's task, or asked for).</summary>
    public bool Instances { get; }

    /// <summary>Loads and checks everything; nothing is written. Bad settings or models throw <see cref="UNetSharpException"/>.</summary>
    public static PredictionService Open(PredictionServiceOptions options)
    {
        options.Validate();
        var paths = ModelPaths.Expand(options.Models, options.CrossValidationModel);
        var engine = options.Engine ?? TorchPredictionEngine.Instance;
        var models = new List<PredictionModel>();
        try
        {
            foreach (string path in paths) models.Add(engine.Load(path, options.Depth, options.FoldBatchNorm));
            for (int m = 1; m < models.Count; m++) EnsembleAgreement.Check(models[0], models[m]);
            var depths = models.Select(m => m.DepthFor(options.Depth)).ToList();
            var first = models[0];
            var config = first.Config;
            bool instances = InstanceOutputs.Resolve(options.Instances, options.InstanceDecoding, first);
            var fixedSize = models.Select(m => m.Predictor.FixedInputSize).FirstOrDefault(f => f is not null);
            int[] tile = options.TileSize is int t ? Enumerable.Repeat(t, config.Dimensions).ToArray() : (fixedSize ?? first.Plan.PatchSize).ToArray();
            var service = new PredictionService(options, models, depths, tile, instances);
            var multiples = service.Window(depths, options.Tta).SizeMultiples;
            if (tile.Length != config.Dimensions || tile.Where((s, a) => s % multiples[a] != 0).Any())
                throw new ConfigurationException($"tile {string.Join("x", tile)} must have {config.Dimensions} axes, each a multiple of {string.Join("x", multiples)} (the product of that axis's strides; 2^depth by default)");
            foreach (var m in models)
                if (m.Predictor.FixedInputSize is { } size && !size.SequenceEqual(tile))
                    throw new ConfigurationException($"{m.WeightsPath} takes fixed {string.Join("x", size)} inputs; tile {string.Join("x", tile)} does not fit it (export with a dynamic size, or use its size as the tile)");
            if (instances) service.DecodingFor(depths[0]);   // a bad instances.json fails now, not on the first input
            return service;
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            throw;
        }
    }

    /// <summary>The depth for a request: <paramref name="requested"/> when the model runs it, else the default;
    /// the same rule and message as `predict --depth` (<see cref="PredictionModel.DepthFor"/>).</summary>
    /// <param name="subject">How the message names the model (null: its path; a server says "the model").</param>
    public int DepthFor(int? requested, string? subject = null) => requested is null ? Depth : Model.DepthFor(requested, subject);

    /// <summary>Reads an input file as the first model's plan says (colour handling, normalisation, spacing).</summary>
    public PredictionInput Read(string path) => PredictionInput.Read(path, Model.Plan, Model.Config);

    /// <summary>Predicts one input at the default depth and TTA, or those of a request.</summary>
    public CasePrediction Predict(PredictionInput input, int? depth = null, bool? tta = null)
    {
        using var scope = NewDisposeScope();
        var depths = depth is int d ? Models.Select(m => m.DepthFor(d)).ToList() : Depths;
        bool mirrored = tta ?? Options.Tta;
        var (labels, probabilities, tiles) = InputPrediction.Run(Window(depths, mirrored), input, Model.Config.Classes, Options.Probabilities);
        if (!Instances)
        {
            PostProcess(labels, input.Shape);
            return new CasePrediction(labels, probabilities, tiles, depths[0], mirrored, null, 0);
        }
        var (instances, count) = InstanceDecoder.FromProbabilities(probabilities.AsSpan(0, Model.Config.Classes * labels.Length), input.Shape, DecodingFor(depths[0]));
        return new CasePrediction(labels, probabilities, tiles, depths[0], mirrored, instances, count);
    }

    /// <summary>Writes one input's outputs into <paramref name="outDir"/> (see <see cref="PredictionOutputs"/>,
    /// <see cref="InstanceOutputs"/>); the first file is the label or instance map. Returns the files written.</summary>
    public List<string> Write(PredictionInput input, CasePrediction prediction, string outDir, PredictionOutputChoice choice) =>
        Instances
            ? InstanceOutputs.Write(input, prediction, Model.Config.Classes, outDir, choice)
            : PredictionOutputs.Write(input, prediction.Labels, choice.Probabilities ? prediction.Probabilities : null, Model.Config.Classes, Model.Plan, outDir, choice.Overlays);

    /// <summary>The explicit clean-ups when given, else the run's post-processing (chosen on cross-validation: the model's
    /// plan carries it, from inference.json through <see cref="InferenceChoices.PlanFor"/> or from an ONNX model's
    /// metadata) unless turned off.</summary>
    void PostProcess(byte[] labels, int[] shape)
    {
        if (Options.KeepLargest) LabelPostProcessing.KeepLargestComponent(labels, shape);
        if (Options.FillHoles) LabelPostProcessing.FillHoles(labels, shape);
        if (!Options.KeepLargest && !Options.FillHoles && Options.PlanPostProcessing) Model.Plan.PostProcessing?.Apply(labels, shape);
    }

    SlidingWindowPredictor Window(IReadOnlyList<int> depths, bool tta)
    {
        var key = (string.Join(",", depths), tta);
        if (windows.TryGetValue(key, out var window)) return window;
        window = new SlidingWindowPredictor(Models.Select((m, k) => new PredictorMember(m.Predictor, depths[k])).ToList(), new SlidingWindowOptions
        {
            TileSize = TileSize, Overlap = Options.Overlap, BatchSize = Options.BatchSize,
            MirrorAxes = tta ? null : Array.Empty<int>(), Gating = Options.Gating, ReturnProbabilities = Options.Probabilities || Instances,
        });
        windows[key] = window;
        return window;
    }

    InstanceDecodingOptions DecodingFor(int depth)
    {
        if (!decodings.TryGetValue(depth, out var decoding))
            decodings[depth] = decoding = InstanceOutputs.Decoding(Options.InstanceDecoding, Options.InstanceDecoder, Model, depth);
        return decoding;
    }

    public void Dispose()
    {
        foreach (var model in Models) model.Dispose();
    }
}

/// <summary>Which files <see cref="PredictionService.Write"/> adds to the label or instance map.</summary>
public sealed record PredictionOutputChoice(bool Probabilities = false, bool Overlays = false, bool InstanceTable = false);
