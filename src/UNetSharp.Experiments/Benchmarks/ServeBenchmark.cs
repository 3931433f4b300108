using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Inference;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Models.Weights;
using UNetSharp.Planning;
using UNetSharp.Serve;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Settings of <see cref="ServeBenchmark"/>.</summary>
public sealed record ServeBenchmarkOptions
{
    /// <summary>Model to serve; null: a 2D UNet# with random weights and <see cref="Widths"/> (written to a temporary folder).</summary>
    public string? Model { get; init; }
    public IReadOnlyList<int> Widths { get; init; } = [16, 32, 64, 128, 256];
    public IReadOnlyList<int> Depths { get; init; } = [1, 4];
    public int Clients { get; init; } = 8;
    /// <summary>Timed requests per depth (after <see cref="Clients"/> warm-up requests).</summary>
    public int Requests { get; init; } = 500;
    /// <summary>Side of the square PNGs.</summary>
    public int Size { get; init; } = 256;
    /// <summary>Server workers (network copies).</summary>
    public int Concurrency { get; init; } = 1;
    /// <summary>Torch threads for both the server and the in-process run; null: the current setting.</summary>
    public int? Threads { get; init; }
}

/// <summary>One depth: the HTTP load run and the same work in-process.</summary>
public sealed record ServeBenchmarkRow
{
    public required int Depth { get; init; }
    public required int Requests { get; init; }
    public required int Errors { get; init; }
    public required IReadOnlyDictionary<string, int> StatusCounts { get; init; }
    public required double P50Ms { get; init; }
    public required double P95Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MeanInferenceMs { get; init; }
    public required double ThroughputPerSecond { get; init; }
    /// <summary>The same requests' work (decode, predict, encode) called in-process with as many parallel loops as workers.</summary>
    public required double InProcessPerSecond { get; init; }
    /// <summary>HTTP throughput over in-process throughput (target ≥ 0.8 at L1).</summary>
    public required double Ratio { get; init; }
    public required double RssBeforeMb { get; init; }
    public required double RssAfterMb { get; init; }
}

public sealed record ServeBenchmarkReport
{
    public required string Machine { get; init; }
    public required string Model { get; init; }
    public required int Threads { get; init; }
    public required int Clients { get; init; }
    public required int Workers { get; init; }
    public required int Size { get; init; }
    public required double RssStartMb { get; init; }
    public required double RssEndMb { get; init; }
    /// <summary>Load average (1 min) before and after: other work on the machine skews every figure here.</summary>
    public required double LoadBefore { get; init; }
    public required double LoadAfter { get; init; }
    public required IReadOnlyList<ServeBenchmarkRow> Rows { get; init; }
}

/// <summary>
/// `unetsharp bench serve`: a real server on 127.0.0.1 and <see cref="ServeBenchmarkOptions.Clients"/> concurrent HTTP
/// clients sending 256² PNGs at each depth; latency percentiles, throughput, errors and resident memory; then the same
/// requests' work without HTTP for the overhead ratio. The server answers on loopback, so network time is not measured.
/// </summary>
public static class ServeBenchmark
{
    public static async Task<ServeBenchmarkReport> RunAsync(ServeBenchmarkOptions options, IProgress<string>? status = null)
    {
        if (options.Clients < 1 || options.Requests < 1) throw new ConfigurationException("client and request counts must be at least 1");
        if (options.Size < 16 || options.Size % 16 != 0) throw new ConfigurationException($"image size must be a multiple of 16, got {options.Size}");
        string scratch = Directory.CreateTempSubdirectory("unetsharp-bench-serve-").FullName;
        int previousThreads = InferenceThreads.Current;
        try
        {
            if (options.Threads is int t) InferenceThreads.Set(t);
            double loadBefore = LoadAverage();
            string model = options.Model ?? RandomModel(scratch, options.Widths, options.Size);
            var bodies = Enumerable.Range(0, 8).Select(i => Png(scratch, options.Size, seed: i)).ToList();
            double rssStart = Mb(ProcessMemory.Resident());
            var serveOptions = new ServeOptions
            {
                Model = model, Port = 0, Concurrency = options.Concurrency, QueueLength = options.Clients * 2, LogLevel = LogLevel.Warning,
                Timeout = TimeSpan.FromMinutes(10),
            };
            var rows = new List<ServeBenchmarkRow>();
            await using (var server = await SegmentationServer.StartAsync(serveOptions).ConfigureAwait(false))
            {
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients }) { BaseAddress = new Uri(server.Address), Timeout = TimeSpan.FromMinutes(10) };
                foreach (int depth in options.Depths)
                {
                    server.Engine.Service.DepthFor(depth);   // refuses a depth the model cannot run, as predict does
                    status?.Report($"L{depth}: warm-up");
                    await Load(http, bodies, depth, options.Clients, options.Clients).ConfigureAwait(false);
                    double rssBefore = Mb(ProcessMemory.Resident());
                    status?.Report($"L{depth}: {options.Requests} requests from {options.Clients} clients");
                    var clock = Stopwatch.StartNew();
                    var samples = await Load(http, bodies, depth, options.Clients, options.Requests).ConfigureAwait(false);
                    double seconds = clock.Elapsed.TotalSeconds;
                    double rssAfter = Mb(ProcessMemory.Resident());
                    status?.Report($"L{depth}: the same work in-process");
                    double inProcess = await InProcess(server, bodies, depth, options.Requests).ConfigureAwait(false);
                    var ok = samples.Where(s => s.Status == 200).Select(s => s.Ms).Order().ToArray();
                    double throughput = samples.Count(s => s.Status == 200) / seconds;
                    rows.Add(new ServeBenchmarkRow
                    {
                        Depth = depth, Requests = samples.Count, Errors = samples.Count(s => s.Status != 200),
                        StatusCounts = samples.GroupBy(s => s.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()),
                        P50Ms = Round(Percentile(ok, 0.50)), P95Ms = Round(Percentile(ok, 0.95)), P99Ms = Round(Percentile(ok, 0.99)),
                        MeanInferenceMs = Round(samples.Where(s => s.Status == 200).Select(s => s.InferenceMs).DefaultIfEmpty().Average()),
                        ThroughputPerSecond = Round(throughput), InProcessPerSecond = Round(inProcess), Ratio = Math.Round(throughput / inProcess, 3),
                        RssBeforeMb = Round(rssBefore), RssAfterMb = Round(rssAfter),
                    });
                }
            }
            return new ServeBenchmarkReport
            {
                Machine = ModelBenchmark.MachineDescription(), Model = options.Model ?? $"random 2D UNet# widths {string.Join(",", options.Widths)}",
                Threads = InferenceThreads.Current, Clients = options.Clients, Workers = options.Concurrency, Size = options.Size,
                RssStartMb = Round(rssStart), RssEndMb = Round(Mb(ProcessMemory.Resident())), LoadBefore = loadBefore, LoadAfter = LoadAverage(), Rows = rows,
            };
        }
        finally
        {
            InferenceThreads.Set(previousThreads);
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }

    readonly record struct Sample(int Status, double Ms, double InferenceMs);

    /// <summary><paramref name="total"/> requests spread over <paramref name="clients"/> concurrent loops.</summary>
    static async Task<List<Sample>> Load(HttpClient http, IReadOnlyList<byte[]> bodies, int depth, int clients, int total)
    {
        int next = -1;
        var samples = new List<Sample>[clients];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = samples[c] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var content = new ByteArrayContent(bodies[i % bodies.Count]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                var clock = Stopwatch.StartNew();
                try
                {
                    using var response = await http.PostAsync($"/v1/segment?depth={depth}", content).ConfigureAwait(false);
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    double inference = response.Headers.TryGetValues("X-Inference-Ms", out var v) ? double.Parse(v.First(), System.Globalization.CultureInfo.InvariantCulture) : 0;
                    mine.Add(new Sample((int)response.StatusCode, clock.Elapsed.TotalMilliseconds, inference));
                }
                catch (HttpRequestException) { mine.Add(new Sample(0, clock.Elapsed.TotalMilliseconds, 0)); }
            }
        }))).ConfigureAwait(false);
        return samples.SelectMany(s => s).ToList();
    }

    /// <summary>Requests per second of the same work called directly (same workers, threads and files), one loop per worker.</summary>
    static async Task<double> InProcess(SegmentationServer server, IReadOnlyList<byte[]> bodies, int depth, int total)
    {
        var request = new SegmentRequest { Depth = depth };
        var uploads = bodies.Select(b => UploadInspector.Inspect(b, "image/png", long.MaxValue)).ToList();
        int next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, server.Gate.Workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var (_, slot) = await server.Gate.EnterAsync(TimeSpan.FromMinutes(10), CancellationToken.None).ConfigureAwait(false);
                using (slot) await server.Engine.SegmentAsync(bodies[i % bodies.Count], uploads[i % bodies.Count], request).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        return total / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A 2D binary UNet# with random weights, saved as weights + plan.json (what `predict` and `serve` load).</summary>
    static string RandomModel(string dir, IReadOnlyList<int> widths, int size)
    {
        var config = new NetworkConfig { Architecture = "unet#", Dimensions = 2, Depth = widths.Count - 1, Widths = widths.ToArray(), Classes = 1, InChannels = 1 };
        using var net = new SegmentationNetwork(config);
        string weights = Path.Combine(dir, "model.safetensors");
        ModelWeights.Save(net, weights);
        new ExperimentPlan
        {
            Network = config, PatchSize = [size, size], ClassValues = [0, 1],
            Normalization = [new ChannelNormalization(NormalizationKind.ZScore)],
        }.Save(dir);
        return weights;
    }

    /// <summary>A gray PNG of bright disks on noise, as bytes.</summary>
    static byte[] Png(string dir, int size, int seed)
    {
        var rng = new Random(seed);
        var data = new float[size * size];
        var centres = Enumerable.Range(0, 6).Select(_ => (Y: rng.Next(size), X: rng.Next(size), R: rng.Next(size / 20, size / 8))).ToList();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                data[y * size + x] = (centres.Any(c => (y - c.Y) * (y - c.Y) + (x - c.X) * (x - c.X) < c.R * c.R) ? 180 : 50) + rng.Next(0, 40);
        string path = Path.Combine(dir, $"input{seed}.png");
        PngFile.Write(path, new RasterImage(data, 1, [size, size], 8));
        return File.ReadAllBytes(path);
    }

    static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static double Round(double v) => Math.Round(v, 2);

    static double Mb(long bytes) => bytes / 1048576.0;

    static double LoadAverage() => SystemLoad.OneMinute() ?? double.NaN;
}
