namespace UNetSharp.Data.Layouts;

/// <summary>Resolves paths written inside a data set (dataset.json) so that they can never point outside the data set.</summary>
internal static class SafePath
{
    public static string Resolve(string root, string relative, string declaredIn)
    {
        if (string.IsNullOrWhiteSpace(relative)) throw new DataFormatException(declaredIn, "empty path");
        if (Path.IsPathRooted(relative) || relative.Contains(':') || relative.StartsWith('~'))
            throw new DataFormatException(declaredIn, $"path '{relative}' is absolute; paths must be relative to the data set folder");
        string rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string full = Path.GetFullPath(Path.Combine(rootFull, relative.Replace('\\', '/')));
        if (!full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new DataFormatException(declaredIn, $"path '{relative}' leaves the data set folder");
        return full;
    }
}
