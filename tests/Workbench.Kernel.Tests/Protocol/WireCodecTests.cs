using System.Text;
using System.Text.Json.Nodes;

using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Protocol;

public class WireCodecTests
{
    private readonly WireCodec codec = new(new MessageSigner("key"));

    private static Message Request() =>
        Message.Create("execute_request", new JsonObject { ["code"] = "1+1" }, "client", identities: new[] { Encoding.ASCII.GetBytes("peer") });

    [Fact]
    public void RoundTripKeepsIdentitiesHeaderAndContent()
    {
        var message = Request();
        var decoded = this.codec.Decode(this.codec.Encode(message), out var error);
        Assert.Null(error);
        Assert.NotNull(decoded);
        Assert.Equal("execute_request", decoded.MsgType);
        Assert.Equal(message.MsgId, decoded.MsgId);
        Assert.Equal("1+1", decoded.Get("code", ""));
        Assert.Equal("peer", Encoding.ASCII.GetString(Assert.Single(decoded.Identities)));
    }

    [Fact]
    public void UnsignedMessageIsRejected()
    {
        var frames = this.codec.Encode(Request());
        var signatureIndex = frames.FindIndex(f => f.AsSpan().SequenceEqual(WireCodec.Delimiter)) + 1;
        frames[signatureIndex] = Array.Empty<byte>();
        Assert.Null(this.codec.Decode(frames, out var error));
        Assert.Contains("unsigned", error);
    }

    [Fact]
    public void MessageSignedWithAnotherKeyIsRejected()
    {
        var forged = new WireCodec(new MessageSigner("attacker")).Encode(Request());
        Assert.Null(this.codec.Decode(forged, out var error));
        Assert.Contains("bad signature", error);
    }

    [Fact]
    public void TamperedContentIsRejected()
    {
        var frames = this.codec.Encode(Request());
        frames[^1] = Encoding.UTF8.GetBytes("{\"code\":\"System.IO.File.Delete(\\\"x\\\")\"}");
        Assert.Null(this.codec.Decode(frames, out _));
    }

    [Fact]
    public void MalformedFramesAreRejected()
    {
        Assert.Null(this.codec.Decode(new[] { Encoding.ASCII.GetBytes("no delimiter") }, out var error));
        Assert.Contains("malformed", error);
    }
}
