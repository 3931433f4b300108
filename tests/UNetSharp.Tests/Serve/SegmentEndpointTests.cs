using System.Net;
using System.Text.Json;
using UNetSharp.IO;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>`POST /v1/segment` on a real Kestrel server: the answers equal `unetsharp predict`'s files, geometry kept,
/// and the descriptive routes say what is loaded.</summary>
public sealed class SegmentEndpointTests(ServeRunFolder files) : IClassFixture<ServeRunFolder>
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    public async Task APngAnswersTheLabelMapPredictWrites(int depth, bool tta)
    {
        string png = PredictionTestFiles.WritePng(Path.Combine(files.NewDir("in"), "cells.png"), 40, 36, seed: depth);
        byte[] expected = files.Predicted(png, depth, tta);
        await using var server = await files.StartAsync();
        using var http = ServeRunFolder.Client(server);

        using var response = await http.PostAsync($"/v1/segment?depth={depth}&tta={tta}", ServeRunFolder.Body(File.ReadAllBytes(png), "image/png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(depth.ToString(), response.Headers.GetValues("X-Depth").Single());
        Assert.Equal("40x36", response.Headers.GetValues("X-Shape").Single());
        byte[] answered = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(expected, answered);
        var (labels, shape, _) = ReadLabels(answered, ".png");
        Assert.Equal([40, 36], shape);
        Assert.Equal(labels.Length, labels.Count(v => v is 0 or 255));
    }

    [Fact]
    public async Task ANiftiVolumeIsAnsweredSliceBySliceWithItsGeometry()
    {
        string input = PredictionTestFiles.WriteOblique(Path.Combine(files.NewDir("in"), "scan.nii.gz"), x: 18, y: 20, z: 5);
        byte[] expected = files.Predicted(input, depth: 2);
        await using var server = await files.StartAsync();
        using var http = ServeRunFolder.Client(server);

        using var response = await http.PostAsync("/v1/segment", ServeRunFolder.Body(File.ReadAllBytes(input), "application/octet-stream"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2", response.Headers.GetValues("X-Depth").Single());   // the plan names no depth: the full one
        byte[] answered = await response.Content.ReadAsByteArrayAsync();
        string path = Path.Combine(files.NewDir("out"), "labels.nii.gz");
        File.WriteAllBytes(path, answered);
        var labels = NiftiFile.Read(path);
        var source = NiftiFile.Read(input);
        Assert.Equal(source.Header.Sizes, labels.Header.Sizes);
        Assert.Equal(source.Header.PixDim, labels.Header.PixDim);
        Assert.Equal(source.Header.Affine, labels.Header.Affine);
        Assert.Equal(source.Header.QformCode, labels.Header.QformCode);
        Assert.Equal(NiftiDataType.UInt8, labels.DataType);
        string reference = Path.Combine(files.NewDir("ref"), "labels.nii.gz");
        File.WriteAllBytes(reference, expected);
        Assert.Equal((byte[])NiftiFile.Read(reference).Voxels, (byte[])labels.Voxels);
    }

    [Fact]
    public async Task AVolumeCanBeAnsweredAsTiffPagesAndA2DImageAsPng()
    {
        string input = PredictionTestFiles.WriteOblique(Path.Combine(files.NewDir("in"), "scan.nii"), x: 16, y: 16, z: 3);
        await using var server = await files.StartAsync();
        using var http = ServeRunFolder.Client(server);
        using var nifti = await http.PostAsync("/v1/segment?depth=1", ServeRunFolder.Body(File.ReadAllBytes(input), "application/x-nifti"));
        using var tiff = await http.PostAsync("/v1/segment?depth=1&format=tiff", ServeRunFolder.Body(File.ReadAllBytes(input), "application/x-nifti"));
        using var png = await http.PostAsync("/v1/segment?format=png", ServeRunFolder.Body(File.ReadAllBytes(input), "application/x-nifti"));

        Assert.Equal("application/x-nifti", nifti.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, tiff.StatusCode);
        Assert.Equal("image/tiff", tiff.Content.Headers.ContentType?.MediaType);
        var (fromTiff, shape, _) = ReadLabels(await tiff.Content.ReadAsByteArrayAsync(), ".tif");
        var (fromNifti, _, _) = ReadLabels(await nifti.Content.ReadAsByteArrayAsync(), ".nii");
        Assert.Equal([3, 16, 16], shape);
        // binary plan 0/1: NIfTI keeps the class values, raster formats write masks as 0/255
        Assert.Equal(fromNifti.Select(v => v * 255), fromTiff);
        Assert.Equal(HttpStatusCode.BadRequest, png.StatusCode);
        Assert.Contains("format=png holds one 2D image", await png.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ModelHealthMetricsAndOpenApiDescribeTheService()
    {
        await using var server = await files.StartAsync();
        using var http = ServeRunFolder.Client(server);
        string png = PredictionTestFiles.WritePng(Path.Combine(files.NewDir("in"), "a.png"), 16, 16);
        (await http.PostAsync("/v1/segment?depth=1", ServeRunFolder.Body(File.ReadAllBytes(png), "image/png"))).Dispose();
        (await http.PostAsync("/v1/segment?depth=7", ServeRunFolder.Body(File.ReadAllBytes(png), "image/png"))).Dispose();

        using var model = JsonDocument.Parse(await http.GetStringAsync("/v1/model"));
        Assert.Equal("unet#", model.RootElement.GetProperty("architecture").GetString());
        Assert.Equal([1, 2], model.RootElement.GetProperty("depths").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2, model.RootElement.GetProperty("default_depth").GetInt32());
        Assert.Equal([4, 8, 16], model.RootElement.GetProperty("plan").GetProperty("network").GetProperty("widths").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("best.ckpt", model.RootElement.GetProperty("weights").GetString());

        Assert.Contains("ok", await http.GetStringAsync("/healthz"));
        Assert.Contains("ready", await http.GetStringAsync("/readyz"));
        string metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("unetsharp_requests_total{route=\"/v1/segment\",status=\"200\"} 1\n", metrics);
        Assert.Contains("unetsharp_requests_total{route=\"/v1/segment\",status=\"400\"} 1\n", metrics);
        Assert.Contains("unetsharp_errors_total{status=\"400\"} 1\n", metrics);
        Assert.Contains("unetsharp_segment_duration_seconds_count 1\n", metrics);
        Assert.Contains("unetsharp_queue_length 0\n", metrics);

        using var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi.json"));
        Assert.StartsWith("3.", openApi.RootElement.GetProperty("openapi").GetString());
        var paths = openApi.RootElement.GetProperty("paths");
        foreach (var route in new[] { "/v1/segment", "/v1/model", "/healthz", "/readyz", "/metrics" }) Assert.True(paths.TryGetProperty(route, out _), route);
        string page = await http.GetStringAsync("/");
        Assert.Contains("<script src=\"viewer.js\"", page);
        Assert.DoesNotContain("http", page.Replace("http-equiv", ""));   // no CDN: every asset comes from this server
    }

    static (int[] Labels, int[] Shape, double[] Spacing) ReadLabels(byte[] bytes, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"unetsharp-serve-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, bytes);
        try { return ImageFile.ReadLabels(path); }
        finally { File.Delete(path); }
    }
}
