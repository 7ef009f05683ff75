using System.Text.Json;

namespace Workbench.Models;

/// <summary>
/// What builds a <see cref="DynamicUnet"/>: the encoder and the decoder's hyperparameters. Weights files record
/// it in their safetensors metadata (<see cref="ModelRegistry.SpecKey"/>), so a file alone rebuilds its network.
/// </summary>
/// <param name="Encoder">resnet18, resnet34, resnet50 or resnet101.</param>
/// <param name="EncoderWidth">The ResNet's base width (64 = torchvision's, the only one ImageNet weights exist for).</param>
/// <param name="Blocks">"wide" (DeOldify stable) or "deep" (DeOldify artistic).</param>
/// <param name="NfFactor">Decoder width factor.</param>
/// <param name="SelfAttention">SAGAN layer in the decoder.</param>
/// <param name="Blur">Blur after the decoder's pixel shuffles.</param>
/// <param name="Spectral">Spectral norm in the decoder.</param>
/// <param name="InChannels">Input channels (3: gray as 3 equal channels, or RGB).</param>
/// <param name="OutChannels">Output channels.</param>
public sealed record UnetSpec(string Encoder = "resnet34", int EncoderWidth = 64, string Blocks = "wide", double NfFactor = 2.0, bool SelfAttention = true,
    bool Blur = true, bool Spectral = true, int InChannels = 3, int OutChannels = 3)
{

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Named sizes. "stable" and "artistic" are DeOldify's two colorizers with a ResNet-34 encoder (its stable
    /// model uses ResNet-101: <c>Encoder = "resnet101"</c> builds that); "small" and "tiny" train on a CPU
    /// (narrow ResNet-18s: no ImageNet weights exist for them).
    /// </summary>
    public static IReadOnlyDictionary<string, UnetSpec> Presets { get; } = new Dictionary<string, UnetSpec>
    {
        ["stable"] = new("resnet34", 64, "wide", 2.0),
        ["artistic"] = new("resnet34", 64, "deep", 1.5),
        ["small"] = new("resnet18", 32, "wide", 0.5),
        ["tiny"] = new("resnet18", 16, "wide", 0.25),
    };

    /// <summary>A preset by name; an unknown name fails and lists the known ones.</summary>
    public static UnetSpec Preset(string name) =>
        Presets.TryGetValue(name, out var spec) ? spec : throw new ArgumentException($"unknown U-Net preset '{name}'; known: {string.Join(", ", Presets.Keys)}");

    /// <summary>Builds the network with fresh weights (and the encoder's, when <paramref name="encoder"/> is given).</summary>
    public DynamicUnet Build(ResNet? encoder = null)
    {
        encoder ??= new ResNet(Encoder switch
        {
            "resnet18" or "resnet34" => "basic",
            "resnet50" or "resnet101" => "bottleneck",
            _ => throw new ArgumentException($"unknown encoder '{Encoder}'; known: resnet18, resnet34, resnet50, resnet101"),
        }, Encoder switch
        {
            "resnet18" => new long[] { 2, 2, 2, 2 },
            "resnet34" or "resnet50" => new long[] { 3, 4, 6, 3 },
            _ => new long[] { 3, 4, 23, 3 },
        }, num_classes: 0, in_channels: InChannels, base_width: EncoderWidth);
        return new DynamicUnet(encoder, OutChannels, Blocks, NfFactor, blur: Blur, self_attention: SelfAttention, spectral: Spectral);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static UnetSpec FromJson(string json) => JsonSerializer.Deserialize<UnetSpec>(json, Json) ?? throw new ArgumentException("empty U-Net spec");

}
