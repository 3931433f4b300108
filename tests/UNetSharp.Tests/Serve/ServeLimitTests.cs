using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using UNetSharp.IO;
using UNetSharp.Serve;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>What the service refuses, with which status and message, and that it keeps answering afterwards; the token,
/// the queue, and a graceful stop.</summary>
public sealed class ServeLimitTests(ServeRunFolder files) : IClassFixture<ServeRunFolder>
{
    byte[] GoodPng() => File.ReadAllBytes(PredictionTestFiles.WritePng(Path.Combine(files.NewDir("in"), "good.png"), 24, 24));

    static async Task<(HttpStatusCode Status, string Error)> Post(HttpClient http, byte[] body, string? contentType, string query = "")
    {
        using var response = await http.PostAsync("/v1/segment" + query, ServeRunFolder.Body(body, contentType));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? "" : JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!);
    }

    [Fact]
    public async Task WithATokenFileEveryApiRequestNeedsTheBearerTokenButTheViewerPageLoads()
    {
        string tokenFile = Path.Combine(files.NewDir("token"), "token.txt");
        File.WriteAllText(tokenFile, "s3cret-token-0123456789abcdef\n");
        await using var server = await files.StartAsync(o => o with { TokenFile = tokenFile });
        Assert.True(server.ListensOnAllInterfaces);
        using var http = ServeRunFolder.Client(server);
        byte[] png = GoodPng();

        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(http, png, "image/png")).Status);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token-0123456789abcdeX");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(http, png, "image/png")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/model")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-token-0123456789abcdef");
        Assert.Equal(HttpStatusCode.OK, (await Post(http, png, "image/png")).Status);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/model")).StatusCode);
    }

    [Fact]
    public async Task WithoutATokenTheServerListensOnLoopbackOnly()
    {
        await using var server = await files.StartAsync();
        Assert.False(server.ListensOnAllInterfaces);
        Assert.StartsWith("http://127.0.0.1:", server.Address);
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413AndTheNextGoodRequestIsAnswered()
    {
        await using var server = await files.StartAsync(o => o with { MaxBodyBytes = 4096 });
        using var http = ServeRunFolder.Client(server);
        var big = new byte[64 * 1024];
        GoodPng().CopyTo(big, 0);

        // The server answers 413 from the Content-Length without reading the body, then closes the connection; a client
        // that streams the body at once may see that close before the answer (a race under load). Large uploads should
        // send "Expect: 100-continue" (curl does), so the body is never sent; the timeout is long so that a slow
        // machine does not send it anyway.
        using var expecting = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
            { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        expecting.DefaultRequestHeaders.ExpectContinue = true;
        var (status, error) = await Post(expecting, big, "image/png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("limit of 4096", error);
        Assert.Equal(HttpStatusCode.OK, (await Post(http, GoodPng(), "image/png")).Status);
    }

    [Fact]
    public async Task AnImageOverTheVoxelLimitIs413BeforeItsPixelsAreDecoded()
    {
        await using var server = await files.StartAsync(o => o with { MaxVoxels = 500 });
        using var http = ServeRunFolder.Client(server);
        var (status, error) = await Post(http, GoodPng(), "image/png");   // 24 x 24 = 576 voxels
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("576 voxels", error);
    }

    [Fact]
    public async Task BadUploadsAre400WithAClearMessageAndTheServerKeepsAnswering()
    {
        await using var server = await files.StartAsync();
        using var http = ServeRunFolder.Client(server);
        byte[] good = GoodPng();

        // a NIfTI cut off in its voxel data
        byte[] nifti = File.ReadAllBytes(PredictionTestFiles.WriteOblique(Path.Combine(files.NewDir("in"), "scan.nii"), x: 16, y: 16, z: 4));
        var (status, error) = await Post(http, nifti[..(nifti.Length - 100)], "application/octet-stream");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("truncated NIfTI", error);
        Assert.Equal(HttpStatusCode.OK, (await Post(http, good, "image/png")).Status);

        // the same, gzipped: only the decoder finds out
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(nifti.AsSpan(0, nifti.Length - 100));
        (status, error) = await Post(http, gz.ToArray(), "application/gzip");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("upload: truncated", error);
        Assert.Equal(HttpStatusCode.OK, (await Post(http, good, "image/png")).Status);

        // a PNG whose header declares 60000 x 60000 pixels in a few hundred bytes
        byte[] absurd = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32BigEndian(absurd.AsSpan(16), 60000);
        BinaryPrimitives.WriteInt32BigEndian(absurd.AsSpan(20), 60000);
        (status, error) = await Post(http, absurd, "image/png");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("declares a 60000x60000 image", error);
        Assert.Equal(HttpStatusCode.OK, (await Post(http, good, "image/png")).Status);

        // a content type that names no image, and one that contradicts the body
        (status, error) = await Post(http, good, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("content type 'text/plain'", error);
        (status, error) = await Post(http, nifti, "image/png");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("says Png, but the body is a Nifti file", error);
        (status, error) = await Post(http, "hello"u8.ToArray(), null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a PNG, TIFF or NIfTI", error);

        // a corrupt PNG (bad CRC) reaches the decoder, which names the problem
        byte[] corrupt = (byte[])good.Clone();
        corrupt[^20] ^= 0xFF;
        (status, error) = await Post(http, corrupt, "image/png");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("upload: ", error);

        // bad query values
        (status, error) = await Post(http, good, "image/png", "?depth=3");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("can predict at depth 1, 2", error);
        (status, error) = await Post(http, good, "image/png", "?colour=red");
        Assert.Contains("unknown query parameter 'colour'", error);

        Assert.Equal(HttpStatusCode.OK, (await Post(http, good, "image/png")).Status);
    }

    [Fact]
    public async Task AFullQueueAnswers503WithRetryAfterAndTheQueuedRequestIsAnswered()
    {
        await using var server = await files.StartAsync(o => o with { Concurrency = 1, QueueLength = 1 });
        using var http = ServeRunFolder.Client(server);
        byte[] png = GoodPng();
        byte[] expected = files.Predicted(WriteAndReturn(Path.Combine(files.NewDir("in"), "x.png"), png), depth: 2);

        // The test takes the only worker itself, so that what follows does not depend on timing.
        var (_, held) = await server.Gate.EnterAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(held);
        var queued = http.PostAsync("/v1/segment", ServeRunFolder.Body(png, "image/png"));
        await WaitUntil(() => server.Gate.Waiting == 1);

        using (var refused = await http.PostAsync("/v1/segment", ServeRunFolder.Body(png, "image/png")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Contains("the queue holds 1", await refused.Content.ReadAsStringAsync());
        }
        Assert.Contains("unetsharp_queue_length 1\n", await http.GetStringAsync("/metrics"));

        held!.Dispose();
        using var answer = await queued;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(expected, await answer.Content.ReadAsByteArrayAsync());
        Assert.Contains("unetsharp_queue_rejections_total 1\n", await http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task StoppingTheServerFinishesTheRequestInFlight()
    {
        var server = await files.StartAsync(o => o with { Concurrency = 1 });
        using var http = ServeRunFolder.Client(server);
        byte[] png = GoodPng();
        byte[] expected = files.Predicted(WriteAndReturn(Path.Combine(files.NewDir("in"), "x.png"), png), depth: 1);

        var (_, held) = await server.Gate.EnterAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        var inFlight = http.PostAsync("/v1/segment?depth=1", ServeRunFolder.Body(png, "image/png"));
        await WaitUntil(() => server.Gate.Waiting == 1);

        var stopping = server.StopAsync();   // what SIGTERM does through the host's console lifetime
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted, "the host stopped before the request in flight was answered");
        held!.Dispose();

        using var answer = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(expected, await answer.Content.ReadAsByteArrayAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        await server.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/healthz"));
    }

    static string WriteAndReturn(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached in 30 s");
            await Task.Delay(10);
        }
    }
}
