using System.Security.Cryptography;
using System.Text;

namespace UNetSharp.Serve;

/// <summary>
/// The shared secret of `--token-file`, checked in constant time: both sides are hashed to 32 bytes first, so neither
/// the token's content nor its length shows in how long a wrong guess takes to be refused.
/// </summary>
public sealed class BearerToken
{
    readonly byte[] expectedHash;

    BearerToken(string token) => expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The first line of the file, surrounding white space removed; an empty or unreadable file is a setting error.</summary>
    public static BearerToken FromFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read the token file ({e.Message})");
        }
        string token = text.Split('\n')[0].Trim();
        if (token.Length == 0) throw new DataFormatException(path, "the token file is empty");
        if (token.Length < 16) throw new DataFormatException(path, $"the token has {token.Length} characters; use at least 16 (e.g. `openssl rand -hex 32`)");
        return new BearerToken(token);
    }

    /// <summary>True when <paramref name="authorization"/> is "Bearer &lt;the token&gt;".</summary>
    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expectedHash);
    }
}
