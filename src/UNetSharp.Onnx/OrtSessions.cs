using Microsoft.ML.OnnxRuntime;

namespace UNetSharp.Onnx;

/// <summary>
/// The one place our ONNX Runtime sessions get their options. ORT logs to the process's stderr at WARNING by default
/// ("[W:onnxruntime:, graph.cc:…] Removing initializer …"), past our one-line `error:` discipline; its errors reach us
/// as exceptions that name the model, so its log is kept to fatal lines. A session made elsewhere would slip through:
/// tests/…/Deploy/OrtQuietTests checks every SessionOptions in the product is made here.
/// </summary>
static class OrtSessions
{
    /// <summary>Options at <paramref name="level"/>; <paramref name="threads"/> intra-op threads (one inter-op) when given,
    /// else ORT's default.</summary>
    public static SessionOptions Options(GraphOptimizationLevel level, int? threads = null)
    {
        var options = new SessionOptions { GraphOptimizationLevel = level, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        if (threads is { } n)
        {
            options.IntraOpNumThreads = n;
            options.InterOpNumThreads = 1;
        }
        return options;
    }
}
