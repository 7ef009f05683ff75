using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbench.Kernel.Transport;

/// <summary>The connection file Jupyter writes for a kernel: ports, address, key and signature scheme.</summary>
public sealed record ConnectionInfo
{
    [JsonPropertyName("transport")] public string Transport { get; init; } = "tcp";
    [JsonPropertyName("ip")] public string Ip { get; init; } = "127.0.0.1";
    [JsonPropertyName("shell_port")] public int ShellPort { get; init; }
    [JsonPropertyName("iopub_port")] public int IopubPort { get; init; }
    [JsonPropertyName("stdin_port")] public int StdinPort { get; init; }
    [JsonPropertyName("control_port")] public int ControlPort { get; init; }
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; init; }
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; init; } = "hmac-sha256";
    [JsonPropertyName("kernel_name")] public string? KernelName { get; init; }

    public static ConnectionInfo Load(string path)
    {
        var info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is not a connection file");
        if (info.SignatureScheme != "hmac-sha256" && info.Key.Length > 0)
            throw new NotSupportedException($"signature scheme '{info.SignatureScheme}' is not supported (only hmac-sha256)");
        if (info.Transport is not ("tcp" or "ipc")) throw new NotSupportedException($"transport '{info.Transport}' is not supported");
        return info;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The ZeroMQ endpoint for one port: only on the connection file's address, never on all interfaces.</summary>
    public string Endpoint(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"tcp://{Ip}:{port}";
}
