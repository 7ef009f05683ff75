using System.Text;

using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Protocol;

public class MessageSignerTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void SignatureIsHmacSha256OfTheFourJsonParts()
    {
        // Expected value from Python: hmac.new(b"secret", b'{"a":1}{}{}{"b":2}', hashlib.sha256).hexdigest()
        var signer = new MessageSigner("secret");
        Assert.Equal(ExpectedSignature, signer.Sign(B("{\"a\":1}"), B("{}"), B("{}"), B("{\"b\":2}")));
    }

    [Fact]
    public void VerifyAcceptsTheRightSignatureOnly()
    {
        var signer = new MessageSigner("secret");
        var parts = new[] { B("{\"a\":1}"), B("{}"), B("{}"), B("{\"b\":2}") };
        Assert.True(signer.Verify(B(ExpectedSignature), parts[0], parts[1], parts[2], parts[3]));
        Assert.False(signer.Verify(B(ExpectedSignature.Replace('a', 'b')), parts[0], parts[1], parts[2], parts[3]));
        Assert.False(signer.Verify(Array.Empty<byte>(), parts[0], parts[1], parts[2], parts[3]));
        Assert.False(new MessageSigner("other").Verify(B(ExpectedSignature), parts[0], parts[1], parts[2], parts[3]));
    }

    [Fact]
    public void AnEmptyKeyTurnsAuthenticationOff()
    {
        var signer = new MessageSigner("");
        Assert.False(signer.Enabled);
        Assert.Equal("", signer.Sign(B("{}"), B("{}"), B("{}"), B("{}")));
        Assert.True(signer.Verify(Array.Empty<byte>(), B("{}"), B("{}"), B("{}"), B("{}")));
    }

    private const string ExpectedSignature = "9b14d94617bffb278285cea390d9dc17e01ec3188dba313f9548021906557a7b";
}
