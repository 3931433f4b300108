using System.Collections.Concurrent;
using System.Diagnostics;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.IO;
using static TorchSharp.torch;

namespace UNetSharp.Serve;

/// <summary>
/// Segments uploads exactly as `unetsharp predict` segments files: the upload is written to a private temporary file,
/// read with <see cref="PredictionInput.Read"/> (colour handling, plan normalisation), predicted with
/// <see cref="InputPrediction.Run"/> and written with <see cref="PredictionOutputs.Write"/> (label values, the input's
/// NIfTI geometry), and the file's bytes are the answer. The network is loaded once per worker; a worker is used by one
/// request at a time (TorchSharp modules are not safe for concurrent forward passes), see <see cref="InferenceGate"/>.
/// </summary>
public sealed class SegmentationEngine : IDisposable
{
    readonly ConcurrentBag<(PredictionModel Model, WorkerThread Thread)> idle = [];
    readonly List<PredictionModel> models = [];
    readonly List<WorkerThread> threads = [];
    readonly string scratch;

    public SegmentationEngine(string modelPath, int workers, int? defaultDepth, double overlap)
    {
        Overlap = overlap;
        try
        {
            for (int i = 0; i < workers; i++)
            {
                var model = PredictionModel.Load(modelPath);
                models.Add(model);
                threads.Add(new WorkerThread($"unetsharp-worker-{i}"));
                idle.Add((model, threads[i]));
            }
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            foreach (var t in threads) t.Dispose();
            throw;
        }
        var first = models[0];
        DefaultDepth = defaultDepth ?? first.Plan.PredictionDepth ?? first.Network.Config.Depth;
        CheckDepth(DefaultDepth, "--depth");
        scratch = Directory.CreateTempSubdirectory("unetsharp-serve-").FullName;
    }

    /// <summary>The first worker's model (all workers hold the same one).</summary>
    public PredictionModel Model => models[0];

    public int DefaultDepth { get; }
    public double Overlap { get; }
    public IReadOnlyList<int> Depths => Model.Network.PrunableDepths;

    public void CheckDepth(int depth, string name)
    {
        if (!Depths.Contains(depth))
            throw new ConfigurationException($"{name} {depth}: the model can predict at depth {string.Join(", ", Depths)}" +
                (Model.Network.Config.DeepSupervision ? "" : " (it has no deep-supervision heads, so it cannot be pruned)"));
    }

    /// <summary>Segments one upload already checked by <see cref="UploadInspector"/> on an idle worker's thread. The caller
    /// holds a slot of the <see cref="InferenceGate"/>, so an idle worker is always there. Bad images throw
    /// <see cref="UNetSharpException"/>.</summary>
    public async Task<SegmentResult> SegmentAsync(byte[] body, UploadInfo upload, SegmentRequest request)
    {
        int depth = request.Depth ?? DefaultDepth;
        CheckDepth(depth, "depth");
        if (!idle.TryTake(out var worker)) throw new InvalidOperationException("no idle worker: SegmentAsync was called without a slot of the gate");
        try { return await worker.Thread.Run(() => Segment(worker.Model, body, upload, request, depth)).ConfigureAwait(false); }
        finally { idle.Add(worker); }
    }

    SegmentResult Segment(PredictionModel model, byte[] body, UploadInfo upload, SegmentRequest request, int depth)
    {
        string dir = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var clock = Stopwatch.StartNew();
            string inputPath = Path.Combine(dir, "upload" + upload.Extension);
            File.WriteAllBytes(inputPath, body);
            using var scope = NewDisposeScope();
            var input = PredictionInput.Read(inputPath, model.Plan, model.Network.Config);
            var format = Resolve(request.Format, upload.Kind, input.Shape);
            var predictor = new SlidingWindowPredictor(model.Network, new SlidingWindowOptions
            {
                Depth = depth, TileSize = model.Plan.PatchSize.ToArray(), Overlap = Overlap,
                MirrorAxes = request.Tta ? null : Array.Empty<int>(),
            });
            var (labels, _, tiles) = InputPrediction.Run(predictor, input, model.Network.Config.Classes, probabilities: false);
            string outDir = Path.Combine(dir, "out");
            string written = format == upload.Kind
                ? PredictionOutputs.Write(input, labels, null, model.Network.Config.Classes, model.Plan, outDir, overlay: false)[0]
                : WriteConverted(input, labels, model, format, outDir);
            long foreground = labels.LongLength - labels.AsSpan().Count((byte)0);
            return new SegmentResult(File.ReadAllBytes(written), ContentType(format, written), "labels" + Extension(written), input.Shape, depth, request.Tta,
                foreground, tiles, clock.Elapsed.TotalMilliseconds);
        }
        catch (DataFormatException e) when (e.Path.StartsWith(dir, StringComparison.Ordinal))
        {
            // The temporary name means nothing to the client: say what is wrong with "the upload".
            throw new DataFormatException("upload", e.Problem, e);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    static PredictionFileKind Resolve(LabelFormat format, PredictionFileKind input, int[] shape) => format switch
    {
        LabelFormat.Same => input,
        LabelFormat.Png when shape.Length == 2 => PredictionFileKind.Png,
        LabelFormat.Png => throw new ConfigurationException($"format=png holds one 2D image; this image is {string.Join("x", shape)}: ask for format=tiff or the input's own format"),
        LabelFormat.Tiff => PredictionFileKind.Tiff,
        LabelFormat.Nifti when input == PredictionFileKind.Nifti => PredictionFileKind.Nifti,
        _ => throw new ConfigurationException("format=nifti needs a NIfTI upload (a PNG or TIFF has no geometry to copy)"),
    };

    /// <summary>A NIfTI or TIFF input answered in another raster format: the same label values as that format's own files.</summary>
    static string WriteConverted(PredictionInput input, byte[] labels, PredictionModel model, PredictionFileKind format, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var table = PredictionOutputs.LabelValues(model.Plan, format);
        var values = Array.ConvertAll(labels, c => table[c]);
        if (format == PredictionFileKind.Png)
        {
            string png = Path.Combine(outDir, "labels.png");
            PngFile.WriteLabels(png, values, input.Shape[0], input.Shape[1]);
            return png;
        }
        string tif = Path.Combine(outDir, "labels.tif");
        int bits = table.Max() > byte.MaxValue ? 16 : 8;
        TiffFile.Write(tif, new RasterImage(Array.ConvertAll(values, v => (float)v), 1, input.Shape, bits), bits);
        return tif;
    }

    static string Extension(string path) => path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? ".nii.gz" : Path.GetExtension(path);

    static string ContentType(PredictionFileKind kind, string path) => kind switch
    {
        PredictionFileKind.Png => "image/png",
        PredictionFileKind.Tiff => "image/tiff",
        _ => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "application/gzip" : "application/x-nifti",
    };

    int disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        foreach (var t in threads) t.Dispose();   // waits for an inference still running on it
        foreach (var m in models) m.Dispose();
        try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
    }
}
