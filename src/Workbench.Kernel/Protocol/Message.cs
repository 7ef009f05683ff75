using System.Text.Json.Nodes;

namespace Workbench.Kernel.Protocol;

/// <summary>One Jupyter message (protocol 5.3): routing identities, header, parent header, metadata, content, buffers.</summary>
public sealed class Message
{
    public const string ProtocolVersion = "5.3";

    public Message(JsonObject header, JsonObject parentHeader, JsonObject metadata, JsonObject content,
        IReadOnlyList<byte[]>? identities = null, IReadOnlyList<byte[]>? buffers = null)
    {
        Header = header;
        ParentHeader = parentHeader;
        Metadata = metadata;
        Content = content;
        Identities = identities ?? Array.Empty<byte[]>();
        Buffers = buffers ?? Array.Empty<byte[]>();
    }

    public IReadOnlyList<byte[]> Identities { get; }

    public JsonObject Header { get; }

    public JsonObject ParentHeader { get; }

    public JsonObject Metadata { get; }

    public JsonObject Content { get; }

    public IReadOnlyList<byte[]> Buffers { get; }

    public string MsgType => (string?)Header["msg_type"] ?? "";

    public string MsgId => (string?)Header["msg_id"] ?? "";

    /// <summary>A new message with a fresh header; <paramref name="parent"/> becomes its parent header.</summary>
    public static Message Create(string msgType, JsonObject content, string session, Message? parent = null, IReadOnlyList<byte[]>? identities = null)
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["username"] = "kernel",
            ["session"] = session,
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["msg_type"] = msgType,
            ["version"] = ProtocolVersion,
        };
        var parentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone();
        return new Message(header, parentHeader, new JsonObject(), content, identities);
    }

    /// <summary>Reads a content field with a default, tolerating a wrong JSON kind from a sloppy client.</summary>
    public T Get<T>(string key, T fallback)
    {
        try
        {
            return Content[key] is JsonValue v && v.TryGetValue<T>(out var value) ? value : fallback;
        }
        catch (InvalidOperationException)
        {
            return fallback;
        }
    }

    public override string ToString() => $"{MsgType} {MsgId}";
}
