using System.Globalization;
using System.Text.Json.Nodes;

using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Training;

/// <summary>
/// A training checkpoint in one safetensors file: every model's state_dict ("models/&lt;name&gt;/&lt;key&gt;"),
/// every optimizer's state ("optimizers/&lt;name&gt;/state.&lt;i&gt;.&lt;k&gt;", hyperparameters in the metadata),
/// the CPU RNG state, and the schedule position — all an exact resume needs. Writes are atomic, so a
/// kill during a save leaves the previous file intact. It records how many processes trained (torch.distributed's
/// world size): each rank's data shard and the global batch depend on it, so a run resumes only with the same number.
/// </summary>
public static class Checkpoint
{
    private const string MetadataKey = "workbench.checkpoint";
    private const int FormatVersion = 1;

    public static void Save(string path, TrainingState state) =>
        Save(path, state.Models, state.Optimizers, state.Position, state.Phase.Name, state.Notes);

    /// <summary>
    /// Writes the checkpoint; each of <paramref name="notes"/> becomes a metadata entry of its own (the run's config,
    /// the generator's <c>arch</c>/<c>spec</c>/<c>task</c>), so a checkpoint describes its model as an exported file does.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, nn.Module> models, IReadOnlyDictionary<string, optim.Optimizer> optimizers,
        TrainingPosition position, string phaseName = "", IReadOnlyDictionary<string, string>? notes = null, int? worldSize = null)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, model) in models)
            foreach (var (key, t) in model.state_dict()) tensors[$"models/{name}/{key}"] = t;
        var optimizerJson = new JsonObject();
        var stateDicts = new List<optim.OptimizerStateDict>();
        try
        {
            foreach (var (name, optimizer) in optimizers)
            {
                var sd = optimizer.state_dict();
                stateDicts.Add(sd);
                foreach (var (key, t) in sd.ToTensors($"optimizers/{name}/")) tensors[key] = t;
                optimizerJson[name] = JsonNode.Parse(sd.ToJson());
            }
            tensors["rng/torch"] = torch.get_rng_state();
            var meta = new JsonObject
            {
                ["format"] = FormatVersion,
                ["phase_index"] = position.PhaseIndex,
                ["phase_iteration"] = position.PhaseIteration,
                ["global_step"] = position.GlobalStep,
                ["data_epoch"] = position.DataEpoch,
                ["data_position"] = position.DataPosition,
                ["phase_name"] = phaseName,
                ["world_size"] = worldSize ?? CurrentWorldSize(),
                ["saved_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["optimizers"] = optimizerJson,
            };
            var metadata = new Dictionary<string, string>(notes ?? new Dictionary<string, string>()) { [MetadataKey] = meta.ToJsonString() };
            SafeTensors.Save(path, tensors, metadata);
        }
        finally
        {
            foreach (var sd in stateDicts) sd.Dispose();
        }
    }

    /// <summary>
    /// Loads models, optimizers and the RNG state in place and returns where to resume. <paramref name="worldSize"/>
    /// (default: this process's torch.distributed world size, 1 outside a group) must equal the one that saved it.
    /// </summary>
    public static TrainingPosition Restore(string path, IReadOnlyDictionary<string, nn.Module> models, IReadOnlyDictionary<string, optim.Optimizer> optimizers, int? worldSize = null)
    {
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(path);
        try
        {
            if (!metadata.TryGetValue(MetadataKey, out var text))
                throw new InvalidDataException($"{path}: not a Workbench training checkpoint (no '{MetadataKey}' metadata); to load bare weights use the model's load_state_dict");
            var meta = JsonNode.Parse(text)!.AsObject();
            CheckWorldSize(path, meta, worldSize ?? CurrentWorldSize());
            foreach (var (name, model) in models)
            {
                var prefix = $"models/{name}/";
                var own = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
                if (own.Count == 0) throw new InvalidDataException($"{path}: has no weights for model '{name}' (it holds: {string.Join(", ", ModelNames(tensors))})");
                model.load_state_dict(own, strict: true);
            }
            foreach (var (name, optimizer) in optimizers)
            {
                var json = meta["optimizers"]?[name]?.ToJsonString() ?? throw new InvalidDataException($"{path}: has no state for optimizer '{name}'");
                using var sd = optim.OptimizerStateDict.FromTensors(tensors, json, $"optimizers/{name}/");
                optimizer.load_state_dict(sd);
            }
            torch.set_rng_state(tensors["rng/torch"]);
            return ReadPosition(meta);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>The position stored in a checkpoint, without loading anything.</summary>
    public static TrainingPosition ReadPosition(string path)
    {
        var header = SafeTensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue(MetadataKey, out var text)) throw new InvalidDataException($"{path}: not a Workbench training checkpoint");
        return ReadPosition(JsonNode.Parse(text)!.AsObject());
    }

    private static TrainingPosition ReadPosition(JsonObject meta) => new(
        meta["phase_index"]!.GetValue<int>(), meta["phase_iteration"]!.GetValue<int>(), meta["global_step"]!.GetValue<long>(),
        meta["data_epoch"]!.GetValue<int>(), meta["data_position"]!.GetValue<int>());

    // Checkpoints written before the world size was recorded carry none and are not checked.
    private static void CheckWorldSize(string path, JsonObject meta, int worldSize)
    {
        if (meta["world_size"] is not { } saved || saved.GetValue<int>() == worldSize) return;
        var n = saved.GetValue<int>();
        throw new InvalidDataException(
            $"{path}: saved by a run of {n} process{(n == 1 ? "" : "es")}, resumed with {worldSize}; resume with the same number " +
            "(--nproc-per-node x --nnodes): each rank's data shard and the global batch depend on it");
    }

    private static int CurrentWorldSize() => torch.distributed.is_initialized() ? torch.distributed.get_world_size() : 1;

    private static IEnumerable<string> ModelNames(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.Keys.Where(k => k.StartsWith("models/", StringComparison.Ordinal)).Select(k => k.Split('/')[1]).Distinct();
}
