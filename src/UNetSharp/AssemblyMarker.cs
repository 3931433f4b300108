namespace UNetSharp; internal static class AssemblyMarker { }
