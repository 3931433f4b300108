using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace UNetSharp;

/// <summary>
/// Keeps libtorch off convolution kernels that compute wrong results on this processor.
/// <para>
/// Measured on an AMD EPYC of family 1Ah (Zen 5) under KVM, with libtorch 2.10's oneDNN 3.7.1: the AVX2 and AVX-512 JIT
/// kernels for a convolution's input gradient (<c>backward_data</c>, and the transposed convolution built on it) give
/// errors of 20–100 % of the gradient's magnitude for batches of 2 or more, in 11–39 of 180 shapes (channels 1–32,
/// NCHW and channels-last; which shapes fail changes from run to run), while the forward pass and the weight gradient
/// are right. The AVX kernels (without AVX2) still gave wrong 3D outputs; the SSE4.1 kernels were right in every shape
/// and deterministic. So on that processor family oneDNN is limited to SSE4.1 (<c>ONEDNN_MAX_CPU_ISA</c>), which costs
/// about 1.7x in 2D convolution training steps and 1.1x in 3D. oneDNN reads the variable once, at its first
/// primitive, so it must be set before any tensor work: this runs as the library's module initialiser, and the CLI
/// and the tests call <see cref="Apply"/> first thing too.
/// </para>
/// A user's own <c>ONEDNN_MAX_CPU_ISA</c> (or <c>DNNL_MAX_CPU_ISA</c>) is always left as set; <c>UNETSHARP_NATIVE_GUARD=off</c>
/// turns the guard off (for measuring the unguarded kernels).
/// </summary>
public static class NativeKernelGuard
{
    const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The limit this process set, or null when it set none (another processor, or the user decided).</summary>
    public static string? AppliedLimit { get; private set; }

    /// <summary>Why the limit was set, for logs (null when none was set).</summary>
    public static string? Reason { get; private set; }

#pragma warning disable CA2255 // a library module initialiser is the point: it must run before libtorch's first convolution
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => Apply();

    /// <summary>Sets the limit where the processor needs it; idempotent, cheap after the first call.</summary>
    public static void Apply()
    {
        if (applied) return;
        applied = true;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        if (string.Equals(Environment.GetEnvironmentVariable("UNETSHARP_NATIVE_GUARD"), "off", StringComparison.OrdinalIgnoreCase)) return;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(IsaVariable)) ||
            !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA"))) return;
        string? cpu = AffectedProcessor(ReadCpuInfo());
        if (cpu is null) return;
        // Both environments: libc's (what oneDNN's getenv reads) and .NET's copy (what child processes inherit).
        if (setenv(IsaVariable, "SSE41", 1) != 0) return;
        Environment.SetEnvironmentVariable(IsaVariable, "SSE41");
        AppliedLimit = "SSE41";
        Reason = $"{cpu}: oneDNN's AVX2/AVX-512 convolution input-gradient kernels give wrong results here, so they are limited to SSE4.1 ({IsaVariable}=SSE41)";
    }

    /// <summary>The processor's name when it is of a family with the defect (AMD family 1Ah), else null.</summary>
    public static string? AffectedProcessor(string cpuInfo)
    {
        string? vendor = null, family = null, model = null;
        foreach (string line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) { if (vendor is not null) break; continue; }   // a blank line ends the first processor's block
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "vendor_id") vendor = value;
            else if (key == "cpu family") family = value;
            else if (key == "model name") model = value;
        }
        return vendor == "AuthenticAMD" && family == "26" ? $"{model ?? "AMD"} (family 1Ah)" : null;
    }

    static string ReadCpuInfo()
    {
        try { return File.ReadAllText("/proc/cpuinfo"); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    static bool applied;

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
