using System.Globalization;

using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Models.SuperResolution;

/// <summary>A super-resolution generator that can describe itself in a weights file's metadata.</summary>
public interface ISuperResolutionNet
{
    /// <summary>The registry name (<see cref="SuperResolutionModels.Architectures"/>).</summary>
    string Architecture { get; }

    /// <summary>Output size / input size.</summary>
    long Scale { get; }

    /// <summary>Constructor arguments as strings, enough to rebuild the network (saved as safetensors metadata).</summary>
    IReadOnlyDictionary<string, string> Hyperparameters { get; }

    /// <summary>Input height and width must be multiples of this (BasicSR's x2 RRDBNet pixel-unshuffles by 2 first).</summary>
    long InputMultiple => 1;
}

/// <summary>
/// Super-resolution networks through <see cref="ModelRegistry"/>: weights files that record their architecture (the
/// safetensors metadata holds <c>arch</c>, <c>task</c>, <c>scale</c> and the hyperparameters: <c>channels</c>, ...),
/// so a file is enough to rebuild and load its network, and checkpoints without metadata (converted from PyTorch, or
/// published <c>.pth</c> files) recognised by their keys and shapes.
/// </summary>
public static class SuperResolutionModels
{
    /// <summary>The registered super-resolution architectures.</summary>
    public static IReadOnlyCollection<string> Architectures => ModelRegistry.Names(ModelRegistry.Tasks.SuperResolution);

    /// <summary>Builds a network by name with default weights; <paramref name="hyperparameters"/> as in a weights file's metadata.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, long scale, IReadOnlyDictionary<string, string>? hyperparameters = null)
    {
        var entry = ModelRegistry.Get(architecture, ModelRegistry.Tasks.SuperResolution);
        var h = new Dictionary<string, string>(hyperparameters ?? new Dictionary<string, string>()) { ["scale"] = scale.ToString(CultureInfo.InvariantCulture) };
        return entry.Build(h);
    }

    /// <summary>The metadata describing <paramref name="model"/>: its architecture, scale and hyperparameters, then <paramref name="extraMetadata"/>.</summary>
    public static Dictionary<string, string> Metadata(nn.Module model, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        if (model is not ISuperResolutionNet net)
            throw new ArgumentException($"{model.GetType().Name} is not a registered SR network (ISuperResolutionNet); save its state_dict with SafeTensors.Save", nameof(model));
        var hyperparameters = new Dictionary<string, string>(net.Hyperparameters) { ["scale"] = net.Scale.ToString(CultureInfo.InvariantCulture) };
        return ModelRegistry.Metadata(net.Architecture, hyperparameters, extra: extraMetadata);
    }

    /// <summary>Saves a network's state_dict with its architecture, scale and hyperparameters as metadata.</summary>
    public static void Save(nn.Module model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null) =>
        SafeTensors.Save(path, model.state_dict(), Metadata(model, extraMetadata));

    /// <summary>
    /// Builds the network a weights file describes and loads its weights (strict). The file is our safetensors or a
    /// PyTorch checkpoint (<c>.pth</c>: BasicSR's <c>params_ema</c>/<c>params</c>, bare state dicts). Without metadata the
    /// registry recognises the architecture by its keys and shapes; <paramref name="architecture"/> decides where it
    /// cannot, and <paramref name="scale"/> where the shapes do not tell it. When given along with metadata, both must agree.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, string Architecture, long Scale) Load(string path, string? architecture = null, long? scale = null)
    {
        var (tensors, raw) = WeightsFile.Read(path);
        try
        {
            var metadata = ModelRegistry.Normalise(raw);
            if (WeightsDescription.IsNonSuperResolutionModel(metadata))
                throw new ArgumentException($"'{path}' is {WeightsDescription.Describe(metadata, tensors.Keys)}, not a super-resolution network; " +
                    $"expected SR weights ({string.Join(", ", Architectures)}: written by `workbench train sr`, or a state_dict with --arch)");
            var arch = metadata.GetValueOrDefault(ModelRegistry.ArchKey);
            if (arch is not null && architecture is not null && arch != architecture)
                throw new ArgumentException($"'{path}' holds a '{arch}' network, not '{architecture}'");
            var (entry, layout, hyperparameters) = ModelRegistry.Resolve(path, tensors, metadata, arch ?? architecture, ModelRegistry.Tasks.SuperResolution);
            var weights = layout?.Convert(tensors) ?? tensors;
            foreach (var (k, v) in metadata) hyperparameters[k] = v;
            long? fileScale = hyperparameters.TryGetValue("scale", out var s) ? long.Parse(s, CultureInfo.InvariantCulture) : null;
            if (fileScale is not null && scale is not null && fileScale != scale)
                throw new ArgumentException($"'{path}' holds a x{fileScale} network, not x{scale}");
            var resolvedScale = fileScale ?? scale ?? throw new ArgumentException($"'{path}' does not record its scale (no 'scale' metadata); say which with --scale");
            var model = Create(entry.Name, resolvedScale, hyperparameters);
            try
            {
                model.load_state_dict(weights);
            }
            catch (nn.StateDictException e)
            {
                model.Dispose();
                throw new ArgumentException($"'{path}' ({WeightsDescription.Describe(metadata, tensors.Keys)}) does not fit a x{resolvedScale} '{entry.Name}' network" +
                    $"{(metadata.Count == 0 ? " with default hyperparameters (the file records none)" : "")}: {WeightsDescription.Summarize(e)}", e);
            }
            catch
            {
                model.Dispose();
                throw;
            }
            return (model, entry.Name, resolvedScale);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Hyperparameters (and the scale) that the weight shapes of a default-tailed network reveal: widths from conv
    /// shapes, block counts from key names, the scale from the sub-pixel conv's outputs (ESPCN, the notes' RRDB) or
    /// BasicSR's pixel-unshuffled input channels. Keys that are absent are simply not inferred.
    /// </summary>
    internal static Dictionary<string, string> InferFromWeights(string arch, IReadOnlyDictionary<string, Tensor> w)
    {
        var h = new Dictionary<string, string>();
        static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
        long[]? Shape(string key) => w.TryGetValue(key, out var t) ? t.shape : null;
        int Count(string prefix, int depth) => w.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')).Where(p => p.Length > depth).Select(p => p[0]).Distinct().Count();
        long? SquareRoot(long v)
        {
            var r = (long)Math.Round(Math.Sqrt(v));
            return r * r == v ? r : null;
        }
        switch (arch)
        {
            case "espcn" when Shape("layers.0.weight") is { } first && Shape("pixel_shuffle.0.weight") is { } last && !w.ContainsKey("pixel_shuffle.2.weight"):
                h["channels"] = S(first[0]);
                h["in_channels"] = S(first[1]);
                if (last[0] % first[1] == 0 && SquareRoot(last[0] / first[1]) is { } r) h["scale"] = S(r);
                break;
            case "rrdb" when Shape("conv_first.weight") is { } first && Shape("conv_last.weight") is { } last:
                h["channels"] = S(first[0]);
                h["num_out_ch"] = S(last[0]);
                h["num_block"] = S(Count("body.", 1));
                if (Shape("body.0.rdb1.conv1.weight") is { } grow) h["num_grow_ch"] = S(grow[0]);
                // BasicSR folds x2 and x1 inputs into 4x / 16x channels; we read 3-channel images.
                (h["num_in_ch"], h["scale"]) = first[1] switch { 12 => ("3", "2"), 48 => ("3", "1"), var c => (S(c), "4") };
                break;
            case "srvgg-compact" when Shape("body.0.weight") is { Length: 4 } first:
            {
                // body.{2i} convs (weight, bias), body.{2i+1} activations (PReLU: weight only), body.{2n+2} the last conv.
                var parts = w.Keys.Select(k => k.Split('.')).ToList();
                if (parts.Any(p => p is not ["body", var i, "weight" or "bias"] || !int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out _))) break;
                var length = parts.Max(p => int.Parse(p[1], CultureInfo.InvariantCulture)) + 1;
                if (length < 3 || length % 2 == 0) break;
                var prelu = w.ContainsKey("body.1.weight");
                bool IsConv(int i) => Shape($"body.{i}.weight") is { Length: 4 } && w.ContainsKey($"body.{i}.bias");
                bool IsActivation(int i) => !w.ContainsKey($"body.{i}.bias") &&
                    (prelu ? Shape($"body.{i}.weight") is [var slopes] && slopes == first[0] : !w.ContainsKey($"body.{i}.weight"));
                if (!Enumerable.Range(0, length).All(i => i % 2 == 0 ? IsConv(i) : IsActivation(i))) break;
                var last = Shape($"body.{length - 1}.weight")!;
                h["channels"] = S(first[0]);
                h["num_in_ch"] = S(first[1]);
                h["num_out_ch"] = S(first[1]);
                h["num_conv"] = S((length - 3) / 2);
                // ReLU and LeakyReLU hold no weights, so only PReLU shows in the keys; the others need the act_type metadata.
                if (prelu) h["act_type"] = "prelu";
                if (last[0] % first[1] == 0 && SquareRoot(last[0] / first[1]) is { } upscale) h["scale"] = S(upscale);
                break;
            }
            case "dilated-rrdb" when Shape("layers.0.weight") is { } first:
                var blocks = Count("layers.", 1) - 1 - 4; // conv_first, the blocks, then 4 tail convs (activations have no keys)
                if (blocks < 0 || !w.ContainsKey($"layers.{blocks + 1}.weight")) break;
                h["channels"] = S(first[0]);
                h["num_block"] = S(blocks);
                h["dense_layers"] = S(Count("layers.1.dense_blocks.1.blocks.", 0) + 1);
                if (Shape($"layers.{blocks + 3}.weight") is { } sub && Shape($"layers.{blocks + 6}.weight") is { } hc)
                {
                    h["tail_channels"] = S(hc[1]);
                    if (sub[0] % hc[1] == 0 && SquareRoot(sub[0] / hc[1]) is { } factor) h["scale"] = S(factor);
                }
                break;
        }
        return h;
    }

    // ---- metadata helpers shared by the networks ------------------------------------------------

    internal static long Long(this IReadOnlyDictionary<string, string> h, string key, long fallback) =>
        h.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Adds the head's arguments unless it is the network's default tail.</summary>
    internal static Dictionary<string, string> WithHead(this Dictionary<string, string> h, UpsampleHead? head, bool isDefault)
    {
        if (head is null || isDefault) return h;
        h["head_steps"] = head.steps == UpsampleSteps.X2Steps ? "x2" : "one";
        h["head_channels"] = head.channels.ToString(CultureInfo.InvariantCulture);
        h["head_convs_after"] = head.convs_after.ToString(CultureInfo.InvariantCulture);
        return h;
    }

    /// <summary>The head a file's metadata describes, or null for the network's default tail.</summary>
    internal static UpsampleHead? Head(this IReadOnlyDictionary<string, string> h, long inChannels, long scale, long outChannels)
    {
        if (!h.TryGetValue("head_steps", out var steps)) return null;
        var kind = steps switch
        {
            "x2" => UpsampleSteps.X2Steps,
            "one" => UpsampleSteps.OneStep,
            _ => throw new ArgumentException($"unknown head_steps '{steps}' (one, x2)"),
        };
        return new UpsampleHead(inChannels, scale, kind, h.Long("head_channels", 64), (int)h.Long("head_convs_after", 0), outChannels);
    }
}
