using System.Runtime.CompilerServices;

namespace UNetSharp.Tests;

static class NativeGuardInitializer
{
    // Tests call libtorch directly (randn, conv2d) before they touch a library type, so the library's own module
    // initialiser may come too late: apply the guard when this assembly loads.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => NativeKernelGuard.Apply();
}
