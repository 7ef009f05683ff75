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
}

/// <summary>
/// The explicit registry of SR generators, and weights files that record their architecture: the safetensors
/// metadata holds <c>arch</c>, <c>scale</c> and the hyperparameters (<c>channels</c>, ...), so a file is enough to
/// rebuild and load its network. An unknown name fails and lists the known ones.
/// </summary>
public static class SuperResolutionModels
{
    private static readonly Dictionary<string, Func<long, IReadOnlyDictionary<string, string>, nn.Module<Tensor, Tensor>>> Factories = new()
    {
        ["espcn"] = Espcn.FromHyperparameters,
        ["rrdb"] = RrdbNet.FromHyperparameters,
        ["dilated-rrdb"] = DilatedRrdbNet.FromHyperparameters,
    };

    /// <summary>The architecture names this registry builds.</summary>
    public static IReadOnlyCollection<string> Architectures => Factories.Keys;

    /// <summary>Builds a network by name with default weights; <paramref name="hyperparameters"/> as in a weights file's metadata.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, long scale, IReadOnlyDictionary<string, string>? hyperparameters = null)
    {
        if (!Factories.TryGetValue(architecture, out var factory))
            throw new ArgumentException($"unknown SR architecture '{architecture}'; known: {string.Join(", ", Factories.Keys)}", nameof(architecture));
        return factory(scale, hyperparameters ?? new Dictionary<string, string>());
    }

    /// <summary>Saves a network's state_dict with its architecture, scale and hyperparameters as metadata.</summary>
    public static void Save(nn.Module model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        if (model is not ISuperResolutionNet net)
            throw new ArgumentException($"{model.GetType().Name} is not a registered SR network (ISuperResolutionNet); save its state_dict with SafeTensors.Save", nameof(model));
        var metadata = new Dictionary<string, string>(net.Hyperparameters)
        {
            ["arch"] = net.Architecture,
            ["scale"] = net.Scale.ToString(CultureInfo.InvariantCulture),
        };
        if (extraMetadata is not null)
            foreach (var (k, v) in extraMetadata) metadata.TryAdd(k, v);
        SafeTensors.Save(path, model.state_dict(), metadata);
    }

    /// <summary>
    /// Builds the network a weights file describes and loads its weights (strict). <paramref name="architecture"/>
    /// and <paramref name="scale"/> are needed only when the file has no such metadata (weights converted from
    /// elsewhere); when both are present they must agree.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, string Architecture, long Scale) Load(string path, string? architecture = null, long? scale = null)
    {
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(path);
        try
        {
            if (WeightsDescription.IsNonSuperResolutionModel(metadata))
                throw new ArgumentException($"'{path}' is {WeightsDescription.Describe(metadata, tensors.Keys)}, not a super-resolution network; " +
                    $"expected SR weights ({string.Join(", ", Factories.Keys)}: written by `workbench train sr`, or a state_dict with --arch)");
            var arch = metadata.GetValueOrDefault("arch");
            if (arch is not null && architecture is not null && arch != architecture)
                throw new ArgumentException($"'{path}' holds a '{arch}' network, not '{architecture}'");
            arch ??= architecture ?? throw new ArgumentException($"'{path}' does not record its architecture (no 'arch' metadata); say which with --arch ({string.Join(", ", Factories.Keys)})");
            if (!Factories.ContainsKey(arch)) throw new ArgumentException($"unknown SR architecture '{arch}'; known: {string.Join(", ", Factories.Keys)}");
            // The notes print GeneratorESPCN with its last conv inside `layers`; ours (and the authors' repository) name it pixel_shuffle.0.
            IReadOnlyDictionary<string, Tensor> weights = arch == "espcn" ? Espcn.FromNotesLayout(tensors) : tensors;
            // Checkpoints converted from elsewhere carry no metadata: read what the weight shapes tell.
            var hyperparameters = InferFromWeights(arch, weights);
            foreach (var (k, v) in metadata) hyperparameters[k] = v;
            long? fileScale = hyperparameters.TryGetValue("scale", out var s) ? long.Parse(s, CultureInfo.InvariantCulture) : null;
            if (fileScale is not null && scale is not null && fileScale != scale)
                throw new ArgumentException($"'{path}' holds a x{fileScale} network, not x{scale}");
            var resolvedScale = fileScale ?? scale ?? throw new ArgumentException($"'{path}' does not record its scale (no 'scale' metadata); say which with --scale");
            var model = Create(arch, resolvedScale, hyperparameters);
            try
            {
                model.load_state_dict(weights);
            }
            catch (nn.StateDictException e)
            {
                model.Dispose();
                throw new ArgumentException($"'{path}' ({WeightsDescription.Describe(metadata, tensors.Keys)}) does not fit a x{resolvedScale} '{arch}' network" +
                    $"{(metadata.Count == 0 ? " with default hyperparameters (the file records none)" : "")}: {WeightsDescription.Summarize(e)}", e);
            }
            catch
            {
                model.Dispose();
                throw;
            }
            return (model, arch, resolvedScale);
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
