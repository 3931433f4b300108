using UNetSharp.Cli;

namespace UNetSharp.Tests.Cli;

/// <summary>
/// Argument fuzzing of the whole CLI in-process: random commands, real and near-miss flag names, hostile values (NaN,
/// ±Inf, huge, negative, empty, non-ASCII). Every invocation must end with a documented exit code (no unhandled
/// exception) and, when it fails, leave nothing at its fresh --out. Invocations never reach real work: each ends with
/// an argument that is refused (a missing model, data set or input, or an out-of-range value), placed last so that a
/// random flag cannot override it. UNETSHARP_CLI_FUZZ sets the count (default 300; the issue's run is 10,000).
/// </summary>
public sealed class CliFuzzTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-cli-fuzz-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly string[] Values =
    [
        "NaN", "nan", "Infinity", "-Infinity", "∞", "1e308", "-1e308", "1e-320", "9999999999999999999999", "2147483648", "-2147483649",
        "2147483647", "-2147483648", "0", "-1", "1", "2", "3", "4", "8", "0.5", "-0.5", "1.5", "", " ", "abc", "ünïcødé", "数据", "🙂",
        "1,9", "1,2,3", "0,0", "4,8,16", "100000,200000,400000", "-4,8,16", "256x256", "0x0", "66", "60", "64x64x64", "1x1x1",
        "none", "unetsharp", "nnunet", "default", "hard", "soft", "off", "adam", "sgd", "auto", "hybrid", "unet#", "unet++", "unet3+",
        "../..", "/", "--", "-", "=", "true", "false", "\t", "a\nb",
    ];

    /// <summary>For each command, the arguments that keep it from doing real work (appended last).</summary>
    static (string[] Command, Func<string, string[]> Stopper)[] Targets(string missing) =>
    [
        (["info"], _ => ["--size", "0"]),
        (["train"], _ => ["--data", missing]),
        (["demo"], _ => ["--data", missing]),
        (["predict"], _ => ["--model", missing, "--input", missing]),
        (["export"], _ => ["--model", missing]),
        (["evaluate"], _ => ["--pred", missing, "--ref", missing]),
        (["data", "check"], _ => ["--data", missing]),
        (["bench", "loader"], _ => ["--data", missing]),
        (["bench", "predict"], _ => ["--repeats", "0"]),
        (["bench", "model"], _ => ["--repeats", "0"]),
        (["bench", "serve"], _ => ["--requests", "0"]),
        (["serve"], _ => ["--model", missing]),
    ];

    [Fact]
    public void RandomArgumentsNeverCrashAndFailuresLeaveNothingBehind()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("UNETSHARP_CLI_FUZZ"), out int n) && n > 0 ? n : 300;
        var random = new Random(20261128);
        string missing = Path.Combine(root, "missing");
        var targets = Targets(missing);
        var flagsByCommand = CliApp.Commands.ToDictionary(c => c.Path, c => ArgumentErrors.OptionNames(c.Settings).ToArray());
        var codes = new Dictionary<int, int>();
        var failures = new List<string>();
        var slowest = new List<(double Seconds, string Args)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var (command, stopper) = targets[random.Next(targets.Length)];
            var flags = flagsByCommand[string.Join(" ", command)];
            string outPath = Path.Combine(root, $"out{i}");
            var args = new List<string>(command);
            int extra = random.Next(0, 5);
            for (int k = 0; k < extra; k++)
            {
                string flag = random.Next(6) switch
                {
                    0 => NearMiss(flags[random.Next(flags.Length)], random),
                    1 => "--out",
                    _ => flags[random.Next(flags.Length)],
                };
                string value = flag == "--out" ? outPath : Values[random.Next(Values.Length)];
                if (random.Next(8) == 0) args.Add($"{flag}={value}");
                else { args.Add(flag); if (random.Next(6) != 0) args.Add(value); }
            }
            args.AddRange(stopper(outPath));
            if (!args.Contains("--out") && command[0] is not ("info" or "data" or "serve")) args.AddRange(["--out", outPath]);

            int code;
            var stderr = new StringWriter();
            var started = clock.Elapsed;
            try { code = CliApp.Run([.. args], TextWriter.Null, stderr); }
            catch (Exception e)
            {
                failures.Add($"unhandled {e.GetType().Name} for: {string.Join(" ", args.Select(a => $"'{a}'"))}: {e.Message.Split('\n')[0]}");
                continue;
            }
            codes[code] = codes.GetValueOrDefault(code) + 1;
            slowest.Add(((clock.Elapsed - started).TotalSeconds, string.Join(" ", args)));
            if (slowest.Count > 5) slowest.Remove(slowest.MinBy(x => x.Seconds));
            if (code is not (0 or 1 or 2 or 3))
                failures.Add($"exit {code} for: {string.Join(" ", args.Select(a => $"'{a}'"))}");
            if (code != 0 && (Directory.Exists(outPath) || File.Exists(outPath)))
                failures.Add($"exit {code} left {outPath} behind for: {string.Join(" ", args.Select(a => $"'{a}'"))}");
            if (code != 0 && !stderr.ToString().StartsWith("error: ", StringComparison.Ordinal))
                failures.Add($"exit {code} without an error line for: {string.Join(" ", args.Select(a => $"'{a}'"))}: {stderr}");
            if (code == 0) { if (Directory.Exists(outPath)) Directory.Delete(outPath, true); else File.Delete(outPath); }
        }
        string summary = $"{count} invocations in {clock.Elapsed.TotalSeconds:F1} s; exit codes " +
            string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"));
        Console.WriteLine(summary);
        foreach (var (seconds, line) in slowest.OrderByDescending(x => x.Seconds)) Console.WriteLine($"  {seconds:F2} s: {line}");
        Assert.True(failures.Count == 0, $"{summary}\n{failures.Count} failures:\n{string.Join("\n", failures.Take(20))}");
    }

    /// <summary>A real flag with one letter dropped, doubled or changed, or its dashes altered.</summary>
    static string NearMiss(string flag, Random random)
    {
        string bare = flag.TrimStart('-');
        int at = random.Next(bare.Length);
        return random.Next(5) switch
        {
            0 => "--" + bare.Remove(at, 1),
            1 => "--" + bare.Insert(at, bare[at].ToString()),
            2 => "--" + bare[..at] + (char)('a' + random.Next(26)) + bare[(at + 1)..],
            3 => "-" + bare,
            _ => "--" + bare.ToUpperInvariant(),
        };
    }
}
