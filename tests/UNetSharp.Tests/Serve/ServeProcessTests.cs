using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>`unetsharp serve` as a child process: SIGTERM while a request runs still answers it, then exits 130.</summary>
[Trait("Category", "Slow")]
public sealed partial class ServeProcessTests(ServeRunFolder files) : IClassFixture<ServeRunFolder>
{
    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    const int SigTerm = 15;

    [Fact]
    public async Task SigtermDuringARequestAnswersItAndExits130()
    {
        // 192 x 192 in 16 x 16 tiles at overlap 0.5: ~500 tiles, seconds of work, so the signal lands mid-request.
        string png = PredictionTestFiles.WritePng(Path.Combine(files.NewDir("in"), "big.png"), 192, 192, seed: 9);
        byte[] expected = files.Predicted(png, depth: 2);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "UNetSharp.Cli.dll"), "serve", "--model", files.Run, "--port", "0", "--threads", "1" },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start unetsharp serve");
        var stderr = new List<string>();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.Add(e.Data);
            if (Address().Match(e.Data) is { Success: true } m) address.TrySetResult(m.Groups[1].Value);
        };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        try
        {
            string baseAddress = await address.Task.WaitAsync(TimeSpan.FromSeconds(120));
            using var http = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromMinutes(3) };
            var request = http.PostAsync("/v1/segment", ServeRunFolder.Body(File.ReadAllBytes(png), "image/png"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(await http.GetStringAsync("/metrics")).Contains("unetsharp_inferences_running 1\n"))
            {
                Assert.True(DateTime.UtcNow < deadline, "the request never started running");
                Assert.False(request.IsCompleted, "the request finished before the signal could be sent");
                await Task.Delay(20);
            }
            Assert.Equal(0, kill(child.Id, SigTerm));

            using var response = await request;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(child.ExitCode == 130, $"exit code {child.ExitCode}; stderr:\n{string.Join("\n", stderr)}");
            lock (stderr) Assert.Contains(stderr, l => l.Contains("no --token-file: listening on 127.0.0.1 only"));
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }

    [GeneratedRegex(@"at (http://127\.0\.0\.1:\d+) with")]
    private static partial Regex Address();
}
