using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UNetSharp.Inference;
using UNetSharp.IO;

namespace UNetSharp.Serve;

/// <summary>
/// The segmentation service on Kestrel (minimal APIs): the model is loaded once per worker before the port opens.
/// <code>
/// await using var server = await SegmentationServer.StartAsync(new ServeOptions { Model = "runs/isbi", Port = 8080 });
/// await server.WaitForShutdownAsync();   // SIGTERM/Ctrl+C: stop accepting, finish in-flight requests, exit
/// </code>
/// Routes: see docs/SERVE.md and <c>/openapi.json</c>.
/// </summary>
public sealed class SegmentationServer : IAsyncDisposable
{
    /// <summary>Served without a token: the static viewer (it holds no data) and the probes of an orchestrator.</summary>
    static readonly HashSet<string> PublicPaths = ["/", "/index.html", "/viewer.js", "/viewer.css", "/healthz", "/readyz"];

    readonly WebApplication app;
    readonly ServeOptions options;
    readonly BearerToken? token;
    readonly ILogger logger;
    readonly int previousThreads;

    SegmentationServer(WebApplication app, ServeOptions options, SegmentationEngine engine, InferenceGate gate, BearerToken? token, int previousThreads)
    {
        this.app = app; this.options = options; this.token = token; this.previousThreads = previousThreads;
        Engine = engine; Gate = gate; Metrics = new ServeMetrics(gate);
        logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("UNetSharp.Serve");
        Map();
    }

    public SegmentationEngine Engine { get; }
    public InferenceGate Gate { get; }
    public ServeMetrics Metrics { get; }

    /// <summary>The status recorded for a request whose client went away before it was answered (nginx's 499): an
    /// abandoned upload is an error in /metrics and the log, never the 200 the response object still holds.</summary>
    public const int ClientClosedRequest = 499;

    const string ClientGoneKey = "client-gone";

    /// <summary>Base address the server listens on, e.g. http://127.0.0.1:8080.</summary>
    public string Address { get; private set; } = "";

    /// <summary>True when a token is required and the server listens on every interface; false: 127.0.0.1 only.</summary>
    public bool ListensOnAllInterfaces => token is not null;

    /// <summary>Stops accepting, waits for requests in flight (up to the time-out plus a minute) and closes.</summary>
    public Task StopAsync(CancellationToken cancellation = default) => app.StopAsync(cancellation);

    /// <summary>Completes when the host has stopped (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    /// <summary>Checks the settings, loads the model and opens the port. Bad settings throw <see cref="UNetSharpException"/>
    /// before anything listens.</summary>
    public static async Task<SegmentationServer> StartAsync(ServeOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        var token = options.TokenFile is null ? null : BearerToken.FromFile(options.TokenFile);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = false; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Timeout + TimeSpan.FromMinutes(1));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            if (token is null) k.Listen(IPAddress.Loopback, options.Port);
            else k.ListenAnyIP(options.Port);
        });

        int previousThreads = InferenceThreads.Current;
        if (options.Threads is int threads) InferenceThreads.Set(threads);
        SegmentationEngine? engine = null;
        WebApplication? app = null;
        try
        {
            engine = new SegmentationEngine(options.Model, options.Concurrency, options.Depth, options.Overlap, options.Engine);
            app = builder.Build();
            var server = new SegmentationServer(app, options, engine, new InferenceGate(options.Concurrency, options.QueueLength), token, previousThreads);
            await app.StartAsync().ConfigureAwait(false);
            string address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<IServerAddressesFeature>()!.Addresses.First();
            server.Address = address.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
            return server;
        }
        catch
        {
            engine?.Dispose();
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            if (options.Threads is not null) InferenceThreads.Set(previousThreads);
            throw;
        }
    }

    void Map()
    {
        app.Use(Observe);
        app.Use(Authorize);
        foreach (var (path, resource) in new[] { ("/", "viewer/index.html"), ("/index.html", "viewer/index.html"), ("/viewer.js", "viewer/viewer.js"), ("/viewer.css", "viewer/viewer.css"), ("/openapi.json", "openapi.json") })
        {
            var bytes = EmbeddedFiles.Read(resource) ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the build");
            app.MapGet(path, () => Results.Bytes(bytes, EmbeddedFiles.ContentType(resource)));
        }
        app.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        app.MapGet("/readyz", (IHostApplicationLifetime life) => life.ApplicationStopping.IsCancellationRequested
            ? Results.Text("{\"status\":\"stopping\"}", "application/json", statusCode: 503)
            : Results.Text("{\"status\":\"ready\"}", "application/json"));
        app.MapGet("/metrics", () => Results.Text(Metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        var description = ProjectJson.Serialize(ModelDescription.Of(Engine, options.Concurrency));
        app.MapGet("/v1/model", () => Results.Text(description, "application/json"));
        app.MapPost("/v1/segment", Segment);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            Engine.Dispose();
            if (options.Threads is not null) InferenceThreads.Set(previousThreads);
        });
    }

    /// <summary>Request id (the client's X-Request-Id when sane, else Kestrel's), a log line (the id as a structured
    /// property, so a JSON console formatter keeps it as a field) and metrics for every request.</summary>
    async Task Observe(HttpContext context, RequestDelegate next)
    {
        string? given = context.Request.Headers["X-Request-Id"];
        string id = given is { Length: > 0 and <= 64 } && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? given : context.TraceIdentifier;
        context.TraceIdentifier = id;
        context.Response.Headers["X-Request-Id"] = id;
        var clock = Stopwatch.StartNew();
        try { await next(context).ConfigureAwait(false); }
        finally
        {
            string route = context.GetEndpoint() is RouteEndpoint e ? e.RoutePattern.RawText ?? context.Request.Path : "unmatched";
            int status = context.Items.ContainsKey(ClientGoneKey) ? ClientClosedRequest : context.Response.StatusCode;
            Metrics.Record(route, status, clock.Elapsed);
            if (route is "/metrics" or "/healthz" or "/readyz") { }
            else if (context.Items.TryGetValue("error", out var error))
                logger.LogWarning("request {RequestId}: {Method} {Path} -> {Status}, {RequestBytes} bytes in, depth {Depth}, {LatencyMs:F1} ms: {Error}",
                    id, context.Request.Method, context.Request.Path.Value, status, context.Request.ContentLength ?? 0,
                    context.Items.TryGetValue("depth", out var d) ? d : "-", clock.Elapsed.TotalMilliseconds, error);
            else
                logger.LogInformation("request {RequestId}: {Method} {Path} -> {Status}, {RequestBytes} bytes in, depth {Depth}, {LatencyMs:F1} ms",
                    id, context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, context.Request.ContentLength ?? 0,
                    context.Items.TryGetValue("depth", out var d) ? d : "-", clock.Elapsed.TotalMilliseconds);
        }
    }

    async Task Authorize(HttpContext context, RequestDelegate next)
    {
        if (token is null || PublicPaths.Contains(context.Request.Path.Value ?? "") && HttpMethods.IsGet(context.Request.Method) || token.Accepts(context.Request.Headers.Authorization))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Error(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer token: send 'Authorization: Bearer <token>'").ConfigureAwait(false);
    }

    async Task Segment(HttpContext context)
    {
        try
        {
            var request = SegmentQuery.Parse(context.Request.Query);
            context.Items["depth"] = Engine.DepthFor(request.Depth);
            if (context.Request.ContentLength > options.MaxBodyBytes)
                throw new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, $"the body has {context.Request.ContentLength} bytes, more than this server's limit of {options.MaxBodyBytes}");
            byte[] body = await ReadBody(context).ConfigureAwait(false);
            var upload = UploadInspector.Inspect(body, context.Request.ContentType, options.MaxVoxels);

            var (admission, slot) = await Gate.EnterAsync(options.Timeout, context.RequestAborted).ConfigureAwait(false);
            if (slot is null)
            {
                if (admission == Admission.QueueFull) Metrics.QueueFull();
                context.Response.Headers.RetryAfter = RetryAfterSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Error(context, StatusCodes.Status503ServiceUnavailable, admission == Admission.QueueFull
                    ? $"busy: {Gate.Running} inference(s) running and {Gate.Waiting} waiting, the queue holds {Gate.QueueLength}; retry later"
                    : $"timed out after {options.Timeout.TotalSeconds:F0} s waiting for a worker; retry later").ConfigureAwait(false);
                return;
            }
            SegmentResult result;
            // The inference is not cancelled when the client goes away: a forward pass cannot be interrupted midway,
            // and the worker must come back to the pool in a known state.
            using (slot) result = await Engine.SegmentAsync(body, upload, request).ConfigureAwait(false);
            var headers = context.Response.Headers;
            headers["X-Depth"] = result.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["X-Tta"] = result.Tta ? "true" : "false";
            headers["X-Shape"] = string.Join("x", result.Shape);
            headers["X-Foreground-Voxels"] = result.ForegroundVoxels.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["X-Inference-Ms"] = result.InferenceMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            headers.ContentDisposition = $"attachment; filename=\"{result.FileName}\"";
            context.Response.ContentType = result.ContentType;
            context.Response.ContentLength = result.Body.Length;
            await context.Response.Body.WriteAsync(result.Body).ConfigureAwait(false);
        }
        catch (UploadRejectedException e) { await Error(context, e.Status, e.Message).ConfigureAwait(false); }
        catch (UNetSharpException e) { await Error(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false); }
        catch (BadHttpRequestException e) { await Error(context, e.StatusCode, $"bad request body ({e.Message})").ConfigureAwait(false); }
        // the client left (mid-upload, while queued, or before the answer was read): nothing to answer, but an error to count
        catch (Exception e) when (e is IOException or OperationCanceledException || context.RequestAborted.IsCancellationRequested && e is not OutOfMemoryException)
        {
            context.Items[ClientGoneKey] = true;
            context.Items["error"] = $"the client closed the connection before the answer ({e.GetType().Name})";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "request {RequestId}: segmentation failed", context.TraceIdentifier);
            await Error(context, StatusCodes.Status500InternalServerError, $"internal error ({e.GetType().Name}); the request id is in X-Request-Id and the server log").ConfigureAwait(false);
        }
    }

    /// <summary>The body, at most MaxBodyBytes (a chunked upload has no Content-Length to check first).</summary>
    async Task<byte[]> ReadBody(HttpContext context)
    {
        var memory = new MemoryStream(context.Request.ContentLength is long n ? (int)Math.Min(n, options.MaxBodyBytes) : 1 << 16);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (memory.Length + read > options.MaxBodyBytes)
                throw new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, $"the body is longer than this server's limit of {options.MaxBodyBytes} bytes");
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }

    /// <summary>A guess at when a worker will be free: the queue ahead times the mean latency, at least one second.</summary>
    int RetryAfterSeconds() => Math.Clamp((int)Math.Ceiling((Gate.Waiting + 1) * Metrics.MeanSegmentSeconds / Gate.Workers), 1, 300);

    static async Task Error(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return;
        context.Items["error"] = message;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        try { await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new ErrorBody(message, context.TraceIdentifier), ErrorJson)).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException) { /* the client is gone */ }
    }

    sealed record ErrorBody(string Error, string RequestId);

    /// <summary>The project's JSON style; quotes in messages stay readable (no \u0027): the body is JSON, never HTML.</summary>
    static readonly System.Text.Json.JsonSerializerOptions ErrorJson = new(ProjectJson.Compact) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async ValueTask DisposeAsync()
    {
        try { await app.StopAsync().ConfigureAwait(false); } catch (OperationCanceledException) { }
        await app.DisposeAsync().ConfigureAwait(false);
        Engine.Dispose();
    }
}
