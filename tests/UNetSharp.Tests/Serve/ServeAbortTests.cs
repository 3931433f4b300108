using System.Net.Sockets;
using UNetSharp.Serve;

namespace UNetSharp.Tests.Serve;

/// <summary>An upload the client abandons half-way (connection closed mid-body) is an error in /metrics, never a 200.</summary>
public sealed class ServeAbortTests(ServeRunFolder files) : IClassFixture<ServeRunFolder>
{
    [Fact]
    public async Task AnUploadAbortedMidBodyCountsAsAnErrorNotASuccess()
    {
        await using var server = await files.StartAsync();
        var address = new Uri(server.Address);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(address.Host, address.Port);
            var stream = client.GetStream();
            string head = $"POST /v1/segment HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(new byte[1000]);
            await stream.FlushAsync();
            await Task.Delay(200);
            client.Client.Close(0);   // reset: the other 99,000 bytes never come
        }
        long Answered() => new[] { 200, 400, 499 }.Sum(s => server.Metrics.Count("/v1/segment", s));
        for (int i = 0; i < 100 && Answered() == 0; i++) await Task.Delay(100);

        Assert.True(server.Metrics.Count("/v1/segment", 200) == 0, server.Metrics.Render());
        Assert.True(Answered() > 0, server.Metrics.Render());
        Assert.Equal(1, server.Metrics.Count("/v1/segment", SegmentationServer.ClientClosedRequest));
        Assert.Contains($"unetsharp_errors_total{{status=\"{SegmentationServer.ClientClosedRequest}\"}} 1", server.Metrics.Render());
    }
}
