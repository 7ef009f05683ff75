using System.Text.Json.Nodes;

using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Torch;
using Workbench.Torch.Serialization;
using Workbench.Training;

namespace Workbench.Inference;

/// <summary>What a weights file says about itself: the network, its architecture (JSON) and its task.</summary>
public sealed record ModelFileInfo(string Network, string Architecture, string Task);

/// <summary>
/// Generator weights that run without the training code: a safetensors file whose metadata names the network
/// ("workbench.network"), its constructor arguments ("workbench.architecture", JSON) and the task
/// ("workbench.task": colorize, defade, superres). <see cref="Load"/> rebuilds the network from those alone.
/// Training checkpoints load too (their generator, rebuilt from the saved training config).
/// </summary>
public static class ModelFile
{
    public const string NetworkKey = WeightsDescription.NetworkKey;
    public const string ArchitectureKey = UnetSpec.MetadataKey;
    public const string TaskKey = WeightsDescription.TaskKey;

    /// <summary>The networks a file can name; an unknown name fails and lists these.</summary>
    private static readonly IReadOnlyDictionary<string, Func<string, nn.Module<Tensor, Tensor>>> Networks = new Dictionary<string, Func<string, nn.Module<Tensor, Tensor>>>
    {
        [nameof(DynamicUnet)] = json => UnetSpec.FromJson(json).Build(),
        [nameof(HypercolumnColorizer)] = json => HypercolumnSpec.FromJson(json).Build(),
        [nameof(ZhangColorizer)] = json => ZhangSpec.FromJson(json).Build(),
    };

    /// <summary>Writes <paramref name="model"/>'s state_dict with its description.</summary>
    public static void Save(string path, nn.Module model, ModelFileInfo info, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string> { [NetworkKey] = info.Network, [ArchitectureKey] = info.Architecture, [TaskKey] = info.Task };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) metadata[k] = v;
        Checkpoint.ExportWeights(path, model, metadata);
    }

    public static ModelFileInfo ReadInfo(string path)
    {
        var header = SafeTensors.ReadHeader(path);
        return InfoFrom(header.Metadata, path, header.Entries.Select(e => e.Name).ToList());
    }

    /// <summary>Rebuilds the network a weights file (or a training checkpoint) describes and loads its weights, in eval mode.</summary>
    public static (nn.Module<Tensor, Tensor> Model, ModelFileInfo Info) Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(path);
        try
        {
            var info = InfoFrom(metadata, path, tensors.Keys);
            if (!Networks.TryGetValue(info.Network, out var build))
                throw new InvalidDataException($"{path}: unknown network '{info.Network}'; known: {string.Join(", ", Networks.Keys)}");
            var model = build(info.Architecture);
            // A checkpoint holds "models/<name>/..." per model: the generator (GAN step) or the model (supervised step).
            var prefix = new[] { "models/generator/", "models/model/" }.FirstOrDefault(p => tensors.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal)));
            // A zhang checkpoint trained the colorizer's net alone (its decoding has no weights).
            var inner = model is ZhangColorizer ? "net." : "";
            var state = prefix is null ? tensors
                : tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => inner + kv.Key[prefix.Length..], kv => kv.Value);
            try
            {
                model.load_state_dict(state);
            }
            catch (nn.StateDictException e)
            {
                model.Dispose();
                throw new InvalidDataException($"'{path}' does not fit the {info.Network} its metadata describes: {WeightsDescription.Summarize(e)}", e);
            }
            if (device is { } d) model.to(d);
            return (model.eval(), info);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static ModelFileInfo InfoFrom(IReadOnlyDictionary<string, string> metadata, string path, IReadOnlyCollection<string> keys)
    {
        if (metadata.TryGetValue(NetworkKey, out var network) && metadata.TryGetValue(ArchitectureKey, out var architecture))
            return new ModelFileInfo(network, architecture, metadata.GetValueOrDefault(TaskKey, "colorize"));
        // A training checkpoint: the recipe stores the generator's description in its config.
        if (metadata.TryGetValue("config", out var config) && JsonNode.Parse(config) is JsonObject c
            && c["generatorNetwork"]?.GetValue<string>() is { } net && c["generatorArchitecture"]?.GetValue<string>() is { } arch)
            return new ModelFileInfo(net, arch, c["task"]?.GetValue<string>() ?? "colorize");
        if (metadata.ContainsKey("arch"))
            throw new InvalidDataException($"'{path}' is {WeightsDescription.Describe(metadata, keys)}, not a colorization model; " +
                "expected a generator written by `workbench train colorize|defade` (use this one with `workbench upscale`)");
        throw new InvalidDataException($"'{path}' is {WeightsDescription.Describe(metadata, keys)}: it does not say which network it holds; " +
            $"expected '{NetworkKey}' and '{ArchitectureKey}' metadata, as ModelFile.Save and `workbench train` write (or build the network and call load_state_dict)");
    }
}
