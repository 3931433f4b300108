using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace UNetSharp.Serve;

/// <summary>
/// Counters for `/metrics` in the Prometheus text format (version 0.0.4): requests by route and status, errors by
/// status, a latency histogram of segmentations, and the queue and worker gauges read from the <see cref="InferenceGate"/>.
/// </summary>
public sealed class ServeMetrics(InferenceGate gate)
{
    /// <summary>Upper bounds (seconds) of the latency histogram buckets.</summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    readonly ConcurrentDictionary<(string Route, int Status), long> requests = new();
    readonly long[] bucketCounts = new long[Buckets.Length];
    long segmentCount, segmentSumMicros, rejectedQueueFull;

    public void Record(string route, int status, TimeSpan elapsed)
    {
        requests.AddOrUpdate((route, status), 1, (_, n) => n + 1);
        if (route != "/v1/segment" || status != 200) return;
        Interlocked.Increment(ref segmentCount);
        Interlocked.Add(ref segmentSumMicros, (long)(elapsed.TotalMilliseconds * 1000));
        for (int i = 0; i < Buckets.Length; i++)
            if (elapsed.TotalSeconds <= Buckets[i]) Interlocked.Increment(ref bucketCounts[i]);
    }

    /// <summary>Mean latency of the successful segmentations so far (0 before the first).</summary>
    public double MeanSegmentSeconds => Interlocked.Read(ref segmentCount) is long n and > 0 ? Interlocked.Read(ref segmentSumMicros) / 1e6 / n : 0;

    public void QueueFull() => Interlocked.Increment(ref rejectedQueueFull);

    /// <summary>Requests answered with <paramref name="status"/> on <paramref name="route"/> so far.</summary>
    public long Count(string route, int status) => requests.TryGetValue((route, status), out long n) ? n : 0;

    public string Render()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.Append("# HELP unetsharp_requests_total HTTP requests answered, by route and status.\n# TYPE unetsharp_requests_total counter\n");
        foreach (var ((route, status), n) in requests.OrderBy(r => r.Key.Route, StringComparer.Ordinal).ThenBy(r => r.Key.Status))
            s.Append(inv, $"unetsharp_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n");
        s.Append("# HELP unetsharp_errors_total HTTP requests answered with a 4xx or 5xx status, by status.\n# TYPE unetsharp_errors_total counter\n");
        foreach (var group in requests.Where(r => r.Key.Status >= 400).GroupBy(r => r.Key.Status).OrderBy(g => g.Key))
            s.Append(inv, $"unetsharp_errors_total{{status=\"{group.Key}\"}} {group.Sum(g => g.Value)}\n");
        s.Append("# HELP unetsharp_queue_rejections_total Segmentations refused with 503 because the queue was full.\n# TYPE unetsharp_queue_rejections_total counter\n");
        s.Append(inv, $"unetsharp_queue_rejections_total {Interlocked.Read(ref rejectedQueueFull)}\n");
        s.Append("# HELP unetsharp_segment_duration_seconds Latency of successful segmentations (queue wait included).\n# TYPE unetsharp_segment_duration_seconds histogram\n");
        for (int i = 0; i < Buckets.Length; i++)
            s.Append(inv, $"unetsharp_segment_duration_seconds_bucket{{le=\"{Buckets[i]}\"}} {Interlocked.Read(ref bucketCounts[i])}\n");
        long count = Interlocked.Read(ref segmentCount);
        s.Append(inv, $"unetsharp_segment_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n");
        s.Append(inv, $"unetsharp_segment_duration_seconds_sum {Interlocked.Read(ref segmentSumMicros) / 1e6}\n");
        s.Append(inv, $"unetsharp_segment_duration_seconds_count {count}\n");
        s.Append("# HELP unetsharp_queue_length Segmentations waiting for a worker.\n# TYPE unetsharp_queue_length gauge\n");
        s.Append(inv, $"unetsharp_queue_length {gate.Waiting}\n");
        s.Append("# HELP unetsharp_inferences_running Segmentations running now.\n# TYPE unetsharp_inferences_running gauge\n");
        s.Append(inv, $"unetsharp_inferences_running {gate.Running}\n");
        s.Append("# HELP unetsharp_workers Inference workers (one network copy each).\n# TYPE unetsharp_workers gauge\n");
        s.Append(inv, $"unetsharp_workers {gate.Workers}\n");
        return s.ToString();
    }
}
