namespace UNetSharp.Serve;

/// <summary>The viewer page and the OpenAPI document, compiled into this assembly (see the .csproj).</summary>
public static class EmbeddedFiles
{
    /// <summary>The resource's bytes; null when there is none by that name.</summary>
    public static byte[]? Read(string name)
    {
        using var stream = typeof(EmbeddedFiles).Assembly.GetManifestResourceStream(name);
        if (stream is null) return null;
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
