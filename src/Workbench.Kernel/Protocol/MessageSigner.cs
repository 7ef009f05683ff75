using System.Security.Cryptography;
using System.Text;

namespace Workbench.Kernel.Protocol;

/// <summary>
/// HMAC-SHA256 over header, parent header, metadata and content (the protocol's signature). An empty key
/// means authentication is off, as the protocol specifies; with a key every message must carry a valid one.
/// </summary>
public sealed class MessageSigner
{
    private readonly byte[] key;

    public MessageSigner(string key) => this.key = Encoding.UTF8.GetBytes(key);

    public bool Enabled => key.Length > 0;

    public string Sign(byte[] header, byte[] parentHeader, byte[] metadata, byte[] content)
    {
        if (!Enabled) return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(header);
        hmac.AppendData(parentHeader);
        hmac.AppendData(metadata);
        hmac.AppendData(content);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Constant-time comparison of <paramref name="signature"/> with the expected one.</summary>
    public bool Verify(byte[] signature, byte[] header, byte[] parentHeader, byte[] metadata, byte[] content)
    {
        if (!Enabled) return true;
        var expected = Encoding.ASCII.GetBytes(Sign(header, parentHeader, metadata, content));
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
