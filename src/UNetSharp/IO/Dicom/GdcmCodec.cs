using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace UNetSharp.IO.Dicom;

/// <summary>
/// Decodes compressed DICOM pixel data (JPEG lossless, JPEG-LS, JPEG 2000, RLE) through GDCM's C# bindings, loaded at run
/// time from Debian's <c>libgdcm-cil</c> (<c>/usr/lib/cli/gdcm-sharp-3.0/</c>; override with UNETSHARP_GDCM_DIR). Nothing
/// else in UNetSharp needs it: uncompressed DICOM is read by <see cref="DicomFile"/> alone. When the package is missing,
/// decoding fails with one line saying what to install.
/// </summary>
public static class GdcmCodec
{
    public const string DefaultDirectory = "/usr/lib/cli/gdcm-sharp-3.0";
    public const string InstallHint = "install GDCM's C# bindings to read compressed DICOM: 'apt-get install libgdcm-cil' (Debian 12 / Ubuntu 22.04+), or convert the series to uncompressed with 'gdcmconv --raw'";

    static readonly Lazy<(Assembly? Assembly, string? Problem)> loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    static readonly Lock gate = new();

    static string Directory => Environment.GetEnvironmentVariable("UNETSHARP_GDCM_DIR") is { Length: > 0 } d ? d : DefaultDirectory;

    /// <summary>Null when GDCM can be used, else why not (one line, with what to install).</summary>
    public static string? Unavailable => loaded.Value.Problem;

    static (Assembly?, string?) Load()
    {
        string dll = Path.Combine(Directory, "gdcm-sharp.dll"), glue = Path.Combine(Directory, "libgdcmsharpglue.so");
        if (!File.Exists(dll) || !File.Exists(glue)) return (null, $"GDCM's C# bindings are not installed ({dll} not found); {InstallHint}");
        try
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name.Contains("gdcmsharpglue", StringComparison.Ordinal) ? NativeLibrary.Load(glue) : IntPtr.Zero);
            // GDCM prints codec warnings on stderr ("more bits actually stored ..."); we check the result ourselves
            assembly.GetType("gdcm.Trace")?.GetMethod("WarningOff")?.Invoke(null, null);
            assembly.GetType("gdcm.Trace")?.GetMethod("ErrorOff")?.Invoke(null, null);
            return (assembly, null);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or DllNotFoundException or TargetInvocationException or TypeInitializationException)
        {
            return (null, $"GDCM's C# bindings in {Directory} do not load ({e.GetBaseException().Message.ReplaceLineEndings(" ")}); {InstallHint}");
        }
    }

    /// <summary>All frames' decoded pixel bytes of one file, frames one after another, as GDCM's ImageReader gives them.</summary>
    public static byte[] Decode(string path)
    {
        var (assembly, problem) = loaded.Value;
        if (assembly is null) throw new DataFormatException(path, $"compressed transfer syntax needs GDCM: {problem}");
        lock (gate) // the bindings share global state (trace switches, codec singletons)
        {
            var readerType = assembly.GetType("gdcm.ImageReader", throwOnError: true)!;
            var reader = (IDisposable)Activator.CreateInstance(readerType)!;
            try
            {
                readerType.GetMethod("SetFileName")!.Invoke(reader, [path]);
                if (!(bool)readerType.GetMethod("Read")!.Invoke(reader, null)!) throw new DataFormatException(path, "GDCM cannot read this file's image");
                object image = readerType.GetMethod("GetImage")!.Invoke(reader, null)!;
                var imageType = image.GetType();
                uint length = (uint)imageType.GetMethod("GetBufferLength")!.Invoke(image, null)!;
                if (length == 0 || length > Array.MaxLength) throw new DataFormatException(path, $"GDCM reports a pixel buffer of {length} bytes");
                var buffer = new byte[length];
                if (!(bool)imageType.GetMethod("GetBuffer")!.Invoke(image, [buffer])!) throw new DataFormatException(path, "GDCM cannot decode the compressed pixel data");
                return buffer;
            }
            catch (TargetInvocationException e) { throw new DataFormatException(path, $"GDCM failed: {e.GetBaseException().Message.ReplaceLineEndings(" ")}", e); }
            finally { reader.Dispose(); }
        }
    }
}
