namespace UNetSharp.Serve;

/// <summary>A request the service refuses, with the HTTP status and the one-line reason sent back.</summary>
public sealed class UploadRejectedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
