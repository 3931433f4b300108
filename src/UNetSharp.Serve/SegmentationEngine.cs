using System.Collections.Concurrent;
using System.Diagnostics;
using UNetSharp.Instances;
using UNetSharp.Prediction;
using UNetSharp.IO;
using static TorchSharp.torch;

namespace UNetSharp.Serve;

/// <summary>
/// Segments uploads with the same <see cref="PredictionService"/> as `unetsharp predict`: the upload is written to a
/// private temporary file, read by the service (colour handling, plan normalisation), predicted (sliding window, gating,
/// the run's post-processing chosen on cross-validation, instance decoding for an instance run) and written by the
/// service as predict writes it (label values, the input's NIfTI geometry); the file's bytes are the answer. Any
/// engine runs it (TorchSharp; ONNX Runtime for exported models, whose plan travels in their metadata). Each worker
/// holds its own service; a worker is used by one request at a time (TorchSharp modules are not safe for concurrent
/// forward passes), see <see cref="InferenceGate"/>.
/// </summary>
public sealed class SegmentationEngine : IDisposable
{
    /// <summary>How a depth error names the model: the server's folders are nobody's business.</summary>
    const string ModelSubject = "the model";

    readonly ConcurrentBag<(PredictionService Service, WorkerThread Thread)> idle = [];
    readonly List<PredictionService> services = [];
    readonly List<WorkerThread> threads = [];
    readonly string scratch;

    public SegmentationEngine(string modelPath, int workers, int? defaultDepth, double overlap, IPredictionEngine? engine = null)
    {
        Overlap = overlap;
        var options = new PredictionServiceOptions { Models = [modelPath], Engine = engine, Depth = defaultDepth, Overlap = overlap };
        try
        {
            for (int i = 0; i < workers; i++)
            {
                var service = PredictionService.Open(options);
                services.Add(service);
                threads.Add(new WorkerThread($"unetsharp-worker-{i}"));
                idle.Add((service, threads[i]));
            }
        }
        catch
        {
            foreach (var m in services) m.Dispose();
            foreach (var t in threads) t.Dispose();
            throw;
        }
        scratch = Directory.CreateTempSubdirectory("unetsharp-serve-").FullName;
    }

    /// <summary>The first worker's model (all workers hold the same one).</summary>
    public PredictionModel Model => services[0].Model;

    /// <summary>The first worker's service (all workers predict alike).</summary>
    public PredictionService Service => services[0];

    /// <summary>The depth when a request names none: --depth, else the run's choice, else the full depth (resolved once).</summary>
    public int DefaultDepth => Service.Depth;
    public double Overlap { get; }
    public IReadOnlyList<int> Depths => Model.Predictor.Depths;

    /// <summary>The depth a request gets; one the model cannot run is refused with predict's message.</summary>
    public int DepthFor(int? requested) => Service.DepthFor(requested, ModelSubject);

    /// <summary>Segments one upload already checked by <see cref="UploadInspector"/> on an idle worker's thread. The caller
    /// holds a slot of the <see cref="InferenceGate"/>, so an idle worker is always there. Bad images throw
    /// <see cref="UNetSharpException"/>.</summary>
    public async Task<SegmentResult> SegmentAsync(byte[] body, UploadInfo upload, SegmentRequest request)
    {
        int depth = DepthFor(request.Depth);
        if (!idle.TryTake(out var worker)) throw new InvalidOperationException("no idle worker: SegmentAsync was called without a slot of the gate");
        try { return await worker.Thread.Run(() => Segment(worker.Service, body, upload, request, depth)).ConfigureAwait(false); }
        finally { idle.Add(worker); }
    }

    SegmentResult Segment(PredictionService service, byte[] body, UploadInfo upload, SegmentRequest request, int depth)
    {
        string dir = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var clock = Stopwatch.StartNew();
            string inputPath = Path.Combine(dir, "upload" + upload.Extension);
            File.WriteAllBytes(inputPath, body);
            using var scope = NewDisposeScope();
            var input = service.Read(inputPath);
            var format = Resolve(request.Format, upload.Kind, input.Shape);
            var prediction = service.Predict(input, depth, request.Tta);
            string outDir = Path.Combine(dir, "out");
            string written = format == upload.Kind
                ? service.Write(input, prediction, outDir, new PredictionOutputChoice())[0]
                : WriteConverted(input, prediction, service.Model, format, outDir);
            string name = (prediction.Instances is null ? "labels" : "instances") + Extension(written);
            return new SegmentResult(File.ReadAllBytes(written), ContentType(format, written), name, input.Shape, depth, request.Tta,
                prediction.ForegroundVoxels, prediction.Tiles, clock.Elapsed.TotalMilliseconds);
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

    /// <summary>A NIfTI or TIFF input answered in another raster format: the same values as that format's own files
    /// (class label values, or instance ids).</summary>
    static string WriteConverted(PredictionInput input, CasePrediction prediction, PredictionModel model, PredictionFileKind format, string outDir)
    {
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, (prediction.Instances is null ? "labels" : "instances") + (format == PredictionFileKind.Png ? ".png" : ".tif"));
        if (prediction.Instances is { } instances)
        {
            InstanceMapFile.Write(path, instances, input.Shape);
            return path;
        }
        var table = PredictionOutputs.LabelValues(model.Plan, format);
        var values = Array.ConvertAll(prediction.Labels, c => table[c]);
        if (format == PredictionFileKind.Png)
        {
            PngFile.WriteLabels(path, values, input.Shape[0], input.Shape[1]);
            return path;
        }
        int bits = table.Max() > byte.MaxValue ? 16 : 8;
        TiffFile.Write(path, new RasterImage(Array.ConvertAll(values, v => (float)v), 1, input.Shape, bits), bits);
        return path;
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
        foreach (var m in services) m.Dispose();
        try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
    }
}
