using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Kernel.Protocol;

/// <summary>
/// Messages to and from ZeroMQ frames: identities, "&lt;IDS|MSG&gt;", HMAC signature, header, parent header,
/// metadata, content, buffers. Decoding rejects (returns null with a reason) anything malformed or mis-signed.
/// </summary>
public sealed class WireCodec(MessageSigner signer)
{
    public static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    public MessageSigner Signer { get; } = signer;

    public List<byte[]> Encode(Message message)
    {
        var header = Json(message.Header);
        var parent = Json(message.ParentHeader);
        var metadata = Json(message.Metadata);
        var content = Json(message.Content);
        var frames = new List<byte[]>(message.Identities) { Delimiter, Encoding.ASCII.GetBytes(Signer.Sign(header, parent, metadata, content)), header, parent, metadata, content };
        frames.AddRange(message.Buffers);
        return frames;
    }

    public Message? Decode(IReadOnlyList<byte[]> frames, out string? error)
    {
        var split = -1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) { split = i; break; }
        if (split < 0 || frames.Count < split + 6)
        {
            error = "malformed message (no <IDS|MSG> delimiter or too few frames)";
            return null;
        }
        var (signature, header, parent, metadata, content) = (frames[split + 1], frames[split + 2], frames[split + 3], frames[split + 4], frames[split + 5]);
        if (!Signer.Verify(signature, header, parent, metadata, content))
        {
            error = signature.Length == 0 ? "unsigned message rejected" : "message with a bad signature rejected";
            return null;
        }
        try
        {
            var message = new Message(ParseObject(header), ParseObject(parent), ParseObject(metadata), ParseObject(content),
                frames.Take(split).ToArray(), frames.Skip(split + 6).ToArray());
            if (message.MsgType.Length == 0) { error = "message without msg_type"; return null; }
            error = null;
            return message;
        }
        catch (JsonException e)
        {
            error = "malformed JSON in message: " + e.Message;
            return null;
        }
    }

    private static byte[] Json(JsonObject node) => JsonSerializer.SerializeToUtf8Bytes(node);

    private static JsonObject ParseObject(byte[] utf8) => JsonNode.Parse(utf8) as JsonObject ?? throw new JsonException("expected a JSON object");
}
