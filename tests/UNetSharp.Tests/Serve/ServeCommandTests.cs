using Spectre.Console.Cli;
using UNetSharp.Cli.Commands;

namespace UNetSharp.Tests.Serve;

/// <summary>The `serve` command's settings: environment variables as defaults, flags winning, bad values named.</summary>
public sealed class ServeCommandTests
{
    static readonly Dictionary<string, string> Env = new()
    {
        ["UNETSHARP_MODEL"] = "runs/env", ["UNETSHARP_PORT"] = "9000", ["UNETSHARP_QUEUE"] = "3", ["UNETSHARP_MAX_BODY_MB"] = "1.5",
        ["UNETSHARP_TOKEN_FILE"] = "/run/secrets/t", ["UNETSHARP_TIMEOUT_S"] = "7",
    };

    [Fact]
    public void EnvironmentVariablesFillWhatTheFlagsLeaveOpen()
    {
        var options = new ServeCommand.Settings { Port = 8081 }.ToOptions(name => Env.GetValueOrDefault(name));
        Assert.Equal("runs/env", options.Model);
        Assert.Equal(8081, options.Port);                       // the flag wins
        Assert.Equal(3, options.QueueLength);
        Assert.Equal(1572864, options.MaxBodyBytes);            // 1.5 MiB
        Assert.Equal("/run/secrets/t", options.TokenFile);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
        Assert.Equal(1, options.Concurrency);                   // neither: the default
    }

    [Fact]
    public void AMissingModelOrABadNumberIsNamed()
    {
        var e = Assert.Throws<ConfigurationException>(() => new ServeCommand.Settings().ToOptions(_ => null));
        Assert.Contains("--model is required", e.Message);
        e = Assert.Throws<ConfigurationException>(() => new ServeCommand.Settings { Model = "m" }.ToOptions(n => n == "UNETSHARP_PORT" ? "eighty" : null));
        Assert.Contains("UNETSHARP_PORT='eighty'", e.Message);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("bench-serve")]
    public void HelpRenders(string command)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddCommand<ServeCommand>("serve");
            config.AddCommand<BenchServeCommand>("bench-serve");
        });
        Assert.Equal(0, app.Run([command, "--help"]));
    }
}
