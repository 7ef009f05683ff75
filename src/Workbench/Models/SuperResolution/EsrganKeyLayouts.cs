using System.Text.RegularExpressions;

using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// The state_dict namings of the original ESRGAN x4 checkpoints (xinntao/ESRGAN), renamed to BasicSR's, which
/// <see cref="RrdbNet"/> uses. The network is the same (RRDB trunk, two nearest x2 + conv + LeakyReLU(0.2) steps,
/// HR conv, last conv); only the names differ:
/// <list type="bullet">
/// <item>2018 (the paper's release; old BasicSR's flattened <c>nn.Sequential</c>): <c>model.0</c> conv_first,
/// <c>model.1.sub.N.RDB1.conv1.0</c> (each dense conv in its own Sequential with its activation),
/// <c>model.1.sub.{num_block}</c> the trunk conv, <c>model.3</c> / <c>model.6</c> the upsampling convs (2 and 5 are
/// the nn.Upsample layers, 4 and 7 the activations), <c>model.8</c> the HR conv, <c>model.10</c> the last conv.</item>
/// <item>2019 (ESRGAN's <c>RRDBNet_arch.py</c> after <c>transer_RRDB_models.py</c>, what <c>RRDB_ESRGAN_x4.pth</c>
/// holds today): <c>conv_first</c>, <c>RRDB_trunk.N.RDB1.conv1</c>, <c>trunk_conv</c>, <c>upconv1</c>, <c>upconv2</c>,
/// <c>HRconv</c>, <c>conv_last</c>.</item>
/// </list>
/// Both are x4 only here: the old code's other scales have a different number of upsampling steps, which RrdbNet's
/// tail (always two) cannot hold.
/// </summary>
internal static class EsrganKeyLayouts
{
    private static readonly Regex SequentialBlock = new(@"^model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)$", RegexOptions.CultureInvariant);
    private static readonly Regex SequentialTrunk = new(@"^model\.1\.sub\.(\d+)\.(weight|bias)$", RegexOptions.CultureInvariant);
    private static readonly Regex SequentialLayer = new(@"^model\.(\d+)\.(weight|bias)$", RegexOptions.CultureInvariant);
    private static readonly Regex TrunkBlock = new(@"^RRDB_trunk\.(\d+)\.RDB([123])\.conv([1-5])\.(weight|bias)$", RegexOptions.CultureInvariant);

    /// <summary>The 2018 layout's top-level layers with weights (x4: two upsampling steps of Upsample, conv, LeakyReLU).</summary>
    private static readonly Dictionary<string, string> SequentialLayers = new()
    {
        ["0"] = "conv_first", ["3"] = "conv_up1", ["6"] = "conv_up2", ["8"] = "conv_hr", ["10"] = "conv_last",
    };

    private static readonly Dictionary<string, string> TrunkLayers = new()
    {
        ["conv_first"] = "conv_first", ["trunk_conv"] = "conv_body", ["upconv1"] = "conv_up1", ["upconv2"] = "conv_up2",
        ["HRconv"] = "conv_hr", ["conv_last"] = "conv_last",
    };

    /// <summary>
    /// The 2018 sequential layout renamed to BasicSR's; null when any key is not of that layout (another scale, ESRGAN+'s
    /// conv1x1, norm layers) or a layer is missing. The tensors are shared, not copied.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor>? FromSequential(IReadOnlyDictionary<string, Tensor> weights)
    {
        if (!weights.ContainsKey("model.1.sub.0.RDB1.conv1.0.weight")) return null;
        var ours = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var trunkIndex = new HashSet<int>();
        foreach (var (key, tensor) in weights)
        {
            string name;
            if (SequentialBlock.Match(key) is { Success: true } b)
                name = $"body.{b.Groups[1].Value}.rdb{b.Groups[2].Value}.conv{b.Groups[3].Value}.{b.Groups[4].Value}";
            else if (SequentialTrunk.Match(key) is { Success: true } t)
            {
                trunkIndex.Add(int.Parse(t.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                name = "conv_body." + t.Groups[2].Value;
            }
            else if (SequentialLayer.Match(key) is { Success: true } l && SequentialLayers.TryGetValue(l.Groups[1].Value, out var layer))
                name = layer + "." + l.Groups[2].Value;
            else return null;
            ours[name] = tensor;
        }
        // The trunk conv follows the blocks: model.1.sub.{num_block}.
        return trunkIndex.Count == 1 && IsComplete(ours, trunkIndex.Single()) ? ours : null;
    }

    /// <summary>The 2019 layout (ESRGAN's RRDBNet_arch.py) renamed to BasicSR's; null when any key is not of it. The tensors are shared.</summary>
    public static IReadOnlyDictionary<string, Tensor>? FromTrunk(IReadOnlyDictionary<string, Tensor> weights)
    {
        if (!weights.ContainsKey("RRDB_trunk.0.RDB1.conv1.weight") || !weights.ContainsKey("trunk_conv.weight")) return null;
        var ours = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in weights)
        {
            string name;
            if (TrunkBlock.Match(key) is { Success: true } b)
                name = $"body.{b.Groups[1].Value}.rdb{b.Groups[2].Value}.conv{b.Groups[3].Value}.{b.Groups[4].Value}";
            else if (key.Split('.') is [var layer, var kind and ("weight" or "bias")] && TrunkLayers.TryGetValue(layer, out var our))
                name = our + "." + kind;
            else return null;
            ours[name] = tensor;
        }
        var blocks = ours.Keys.Where(k => k.StartsWith("body.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count();
        return IsComplete(ours, blocks) ? ours : null;
    }

    /// <summary>Every weight of a default-tailed x4 BasicSR RRDBNet with <paramref name="blocks"/> blocks (a missing bias is left to the strict load to name).</summary>
    private static bool IsComplete(Dictionary<string, Tensor> ours, int blocks)
    {
        if (blocks < 1) return false;
        string[] layers = ["conv_first", "conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"];
        if (layers.Any(l => !ours.ContainsKey(l + ".weight"))) return false;
        for (var i = 0; i < blocks; i++)
            for (var r = 1; r <= 3; r++)
                for (var c = 1; c <= 5; c++)
                    if (!ours.ContainsKey($"body.{i}.rdb{r}.conv{c}.weight")) return false;
        // No block beyond the count (a gap in the numbering, or the trunk conv's index wrong).
        return ours.Keys.Where(k => k.StartsWith("body.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count() == blocks;
    }
}
