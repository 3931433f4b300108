using System.ComponentModel;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Onnx;
using UNetSharp.Prediction;
using UNetSharp.Serve;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp serve`: the segmentation service (see docs/SERVE.md). Every option can also come from an environment
/// variable (UNETSHARP_MODEL, UNETSHARP_PORT, ...; a flag wins), which is how the container image is configured.
/// Exit codes: 2 bad settings or model (nothing listens), 1 the port cannot be opened, 130 stopped by SIGTERM/Ctrl+C
/// after the requests in flight were answered.
/// </summary>
public sealed class ServeCommand : Command<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>"), Description("run folder (best.ckpt, else last.ckpt, + plan.json), checkpoint, weights with plan.json beside it, " +
            "or an exported .onnx model (its plan is in its metadata) (env UNETSHARP_MODEL)")]
        public string? Model { get; init; }

        [CommandOption("--engine <ENGINE>"), Description("what runs the model, as predict: torch | onnx (ONNX Runtime, CPU; a run folder is exported in memory) " +
            "(default: onnx for an .onnx file, else torch) (env UNETSHARP_ENGINE)")]
        public string? Engine { get; init; }

        [CommandOption("--port <N>"), Description("TCP port (default 8080) (env UNETSHARP_PORT)")]
        public int? Port { get; init; }

        [CommandOption("--depth <L>"), Description("default depth when a request names none (default: the plan's chosen depth, else L) (env UNETSHARP_DEPTH)")]
        public int? Depth { get; init; }

        [CommandOption("--token-file <FILE>"), Description("require 'Authorization: Bearer <token>' (token = the file's first line) and listen on every interface; " +
            "without it the server listens on 127.0.0.1 only (env UNETSHARP_TOKEN_FILE)")]
        public string? TokenFile { get; init; }

        [CommandOption("--max-body-mb <N>"), Description("largest request body in MiB, 413 above (default 256) (env UNETSHARP_MAX_BODY_MB)")]
        public double? MaxBodyMb { get; init; }

        [CommandOption("--max-voxels <N>"), Description("largest image in voxels x channels, judged from its header, 413 above (default 134217728) (env UNETSHARP_MAX_VOXELS)")]
        public long? MaxVoxels { get; init; }

        [CommandOption("--concurrency <N>"), Description("inferences at once, one network copy each (default 1) (env UNETSHARP_CONCURRENCY)")]
        public int? Concurrency { get; init; }

        [CommandOption("--queue <N>"), Description("requests that may wait for a worker; more get 503 + Retry-After (default 32) (env UNETSHARP_QUEUE)")]
        public int? Queue { get; init; }

        [CommandOption("--timeout-s <N>"), Description("longest wait for a worker in seconds, then 503 (default 120) (env UNETSHARP_TIMEOUT_S)")]
        public double? TimeoutS { get; init; }

        [CommandOption("--threads <N>"), Description("torch threads (default: all cores) (env UNETSHARP_THREADS)")]
        public int? Threads { get; init; }

        public ServeOptions ToOptions(Func<string, string?> environment)
        {
            T? Env<T>(string name, Func<string, T> parse) where T : struct
            {
                string? text = environment(name);
                if (string.IsNullOrWhiteSpace(text)) return null;
                try { return parse(text.Trim()); }
                catch (FormatException) { throw new ConfigurationException($"environment variable {name}='{text}' is not a valid number"); }
                catch (OverflowException) { throw new ConfigurationException($"environment variable {name}='{text}' is out of range"); }
            }
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            string model = Model ?? environment("UNETSHARP_MODEL") ?? "";
            if (model.Length == 0) throw new ConfigurationException("--model is required (or set UNETSHARP_MODEL)");
            var defaults = new ServeOptions { Model = model };
            double bodyMb = MaxBodyMb ?? Env("UNETSHARP_MAX_BODY_MB", s => double.Parse(s, inv)) ?? defaults.MaxBodyBytes / 1048576.0;
            if (!(bodyMb > 0) || bodyMb > 1 << 20) throw new ConfigurationException($"--max-body-mb must be in (0, 1048576], got {bodyMb}");
            double timeout = TimeoutS ?? Env("UNETSHARP_TIMEOUT_S", s => double.Parse(s, inv)) ?? defaults.Timeout.TotalSeconds;
            if (!(timeout > 0) || timeout > 86400) throw new ConfigurationException($"--timeout-s must be in (0, 86400], got {timeout}");
            string engine = (Engine ?? (environment("UNETSHARP_ENGINE") is { Length: > 0 } e ? e : null) ?? (ModelPaths.IsOnnx(model) ? "onnx" : "torch")).Trim().ToLowerInvariant();
            int? threads = Threads ?? Env("UNETSHARP_THREADS", s => int.Parse(s, inv));
            return new ServeOptions
            {
                Model = model,
                Engine = engine switch
                {
                    "torch" or "torchsharp" => TorchPredictionEngine.Instance,
                    "onnx" or "onnxruntime" => new OnnxPredictionEngine(threads),
                    _ => throw new ConfigurationException($"--engine must be torch or onnx, got '{engine}'"),
                },
                Port = Port ?? Env("UNETSHARP_PORT", s => int.Parse(s, inv)) ?? defaults.Port,
                Depth = Depth ?? Env("UNETSHARP_DEPTH", s => int.Parse(s, inv)),
                TokenFile = TokenFile ?? (environment("UNETSHARP_TOKEN_FILE") is { Length: > 0 } t ? t : null),
                MaxBodyBytes = (long)(bodyMb * 1048576),
                MaxVoxels = MaxVoxels ?? Env("UNETSHARP_MAX_VOXELS", s => long.Parse(s, inv)) ?? defaults.MaxVoxels,
                Concurrency = Concurrency ?? Env("UNETSHARP_CONCURRENCY", s => int.Parse(s, inv)) ?? defaults.Concurrency,
                QueueLength = Queue ?? Env("UNETSHARP_QUEUE", s => int.Parse(s, inv)) ?? defaults.QueueLength,
                Timeout = TimeSpan.FromSeconds(timeout),
                Threads = threads,
            };
        }
    }

    public const int Interrupted = 130;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        SegmentationServer server;
        try
        {
            var options = settings.ToOptions(Environment.GetEnvironmentVariable);
            server = SegmentationServer.StartAsync(options).GetAwaiter().GetResult();
        }
        catch (UNetSharpException e)
        {
            CliOutput.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (IOException e)
        {
            // Kestrel reports a port in use or not permitted as an IOException.
            CliOutput.Error.WriteLine($"error: cannot listen: {e.Message}");
            return 1;
        }
        // The host stops gracefully on SIGTERM/SIGINT by itself; these only note that a signal was the reason.
        bool interrupted = false;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => interrupted = true);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => interrupted = true);
        using var spectreCancel = cancellationToken.Register(() => { interrupted = true; _ = server.StopAsync(); });
        var net = server.Engine.Model.Config;
        CliOutput.Error.WriteLine($"serving {net.Architecture} {net.Dimensions}D{(server.Engine.Service.Instances ? " instances" : "")} with {server.Engine.Model.Predictor.Engine} " +
            $"(depths {string.Join(",", server.Engine.Depths)}, default L{server.Engine.DefaultDepth}) " +
            $"from {server.Engine.Model.WeightsPath} at {server.Address} with {server.Gate.Workers} worker(s), queue {server.Gate.QueueLength}");
        CliOutput.Error.WriteLine(server.ListensOnAllInterfaces
            ? $"listening on every interface, port {new Uri(server.Address).Port}; every API request needs 'Authorization: Bearer <token>'"
            : $"no --token-file: listening on 127.0.0.1 only (this machine); give a token file to accept other machines");
        CliOutput.Error.WriteLine($"viewer: {server.Address}/   API: {server.Address}/openapi.json   stop: Ctrl+C or SIGTERM (requests in flight are finished)");
        server.WaitForShutdownAsync().GetAwaiter().GetResult();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CliOutput.Error.WriteLine("stopped");
        return interrupted ? Interrupted : 0;
    }
}
