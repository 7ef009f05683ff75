using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Inference;

/// <summary>What a weights file says about itself: the network, its architecture (JSON) and its task.</summary>
public sealed record ModelFileInfo(string Network, string Architecture, string Task);

/// <summary>
/// Colorization and restoration networks through <see cref="ModelRegistry"/>: a weights file whose metadata names the
/// network (<c>arch</c>), its constructor arguments (<c>spec</c>, JSON) and the task (<c>task</c>: colorize, defade).
/// <see cref="Load"/> rebuilds the network from those alone. Files written before the registry (<c>workbench.network</c>,
/// <c>workbench.architecture</c>, <c>workbench.task</c>) and training checkpoints (their generator: the recipe writes
/// its <c>arch</c>, <c>spec</c> and <c>task</c> into every checkpoint) load too, and so do published colorizers without metadata (Zhang et al.'s eccv16 and
/// siggraph17 <c>.pth</c>, DeOldify's artistic/stable/video generators), recognised by the key layouts their registry entries accept.
/// </summary>
public static class ModelFile
{
    /// <summary>The architecture of a network whose builder takes no arguments (a published colorizer).</summary>
    public const string NoSpec = "{}";

    /// <summary>Writes <paramref name="model"/>'s state_dict with its description.</summary>
    public static void Save(string path, nn.Module model, ModelFileInfo info, IReadOnlyDictionary<string, string>? extra = null)
    {
        using var scope = torch.NewDisposeScope();
        SafeTensors.Save(path, model.state_dict(), Metadata(info, extra));
    }

    /// <summary>The metadata describing a network: <c>arch</c>, <c>spec</c> and <c>task</c>, then <paramref name="extra"/>.</summary>
    public static Dictionary<string, string> Metadata(ModelFileInfo info, IReadOnlyDictionary<string, string>? extra = null) =>
        ModelRegistry.Metadata(info.Network, new Dictionary<string, string> { [ModelRegistry.SpecKey] = info.Architecture }, info.Task, extra);

    public static ModelFileInfo ReadInfo(string path)
    {
        var header = SafeTensors.ReadHeader(path);
        return InfoFrom(ModelRegistry.Normalise(header.Metadata), path, header.Entries.Select(e => e.Name).ToList());
    }

    /// <summary>Rebuilds the network a weights file (or a training checkpoint) describes and loads its weights, in eval mode.</summary>
    public static (nn.Module<Tensor, Tensor> Model, ModelFileInfo Info) Load(string path, Device? device = null)
    {
        if (File.Exists(path) && !WeightsFile.IsSafeTensors(path) && LoadPublished(path) is { } published)
        {
            if (device is { } target) published.Model.to(target);
            return (published.Model.eval(), published.Info);
        }
        var (tensors, raw) = WeightsFile.Read(path);
        try
        {
            var info = InfoFrom(ModelRegistry.Normalise(raw), path, tensors.Keys, tensors);
            var entry = ModelRegistry.Get(info.Network, info.Task);
            var model = entry.Build(new Dictionary<string, string> { [ModelRegistry.SpecKey] = info.Architecture });
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

    /// <summary>
    /// A published colorizer's <c>.pth</c> (no metadata) is recognised by its keys and shapes alone, and its tensors are
    /// read straight into the network's parameters, so the weights exist once, not twice (DeOldify stable: 874 MB).
    /// Null when no colorizer's layout fits: the file then takes <see cref="Load"/>'s general path and its errors.
    /// </summary>
    private static (nn.Module<Tensor, Tensor> Model, ModelFileInfo Info)? LoadPublished(string path)
    {
        ModelArchitecture entry;
        using (var scope = torch.NewDisposeScope())
        {
            if (ModelRegistry.Recognise(WeightsFile.ReadCheckpointShapes(path), ModelRegistry.Tasks.Colorize) is not [var (found, layout, _)] || layout.ToOurs is not null) return null;
            entry = found;
        }
        GlibcHeap.Trim(); // recognising DeOldify's layout built the network once to learn its shapes: 0.3 GB of freed heap stays resident otherwise
        var model = entry.Build(new Dictionary<string, string> { [ModelRegistry.SpecKey] = NoSpec });
        try
        {
            using var scope = torch.NewDisposeScope();
            TorchCheckpoint.LoadStateDictInto(path, model.state_dict());
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, new ModelFileInfo(entry.Name, NoSpec, entry.Task));
    }

    /// <summary>What the metadata says; without any, what the weights' key layout says (<paramref name="tensors"/>, when read).</summary>
    private static ModelFileInfo InfoFrom(IReadOnlyDictionary<string, string> metadata, string path, IReadOnlyCollection<string> keys,
        IReadOnlyDictionary<string, Tensor>? tensors = null)
    {
        if (metadata.TryGetValue(ModelRegistry.ArchKey, out var network) && metadata.TryGetValue(ModelRegistry.SpecKey, out var spec))
            return new ModelFileInfo(network, spec, metadata.GetValueOrDefault(ModelRegistry.TaskKey, ModelRegistry.Tasks.Colorize));
        // `workbench import` of a published colorizer records its arch and task, but no spec: its builder takes none.
        if (metadata.TryGetValue(ModelRegistry.ArchKey, out var imported) && metadata.GetValueOrDefault(ModelRegistry.TaskKey) == ModelRegistry.Tasks.Colorize
            && ModelRegistry.Contains(imported, ModelRegistry.Tasks.Colorize) && ModelRegistry.Get(imported).Layouts.Count > 0)
            return new ModelFileInfo(imported, NoSpec, ModelRegistry.Tasks.Colorize);
        if (metadata.ContainsKey(ModelRegistry.ArchKey))
            throw new InvalidDataException($"'{path}' is {WeightsDescription.Describe(metadata, keys)}, not a colorization model; " +
                "expected a generator written by `workbench train colorize|defade` (use this one with `workbench upscale`)");
        // A published colorizer (a bare PyTorch state_dict, keys as upstream's) that one entry's layout recognises: its
        // builder takes no spec, and its keys are the network's (those layouts rename nothing).
        if (tensors is not null && ModelRegistry.Recognise(tensors, ModelRegistry.Tasks.Colorize) is [var (entry, _, _)])
            return new ModelFileInfo(entry.Name, NoSpec, entry.Task);
        throw new InvalidDataException($"'{path}' is {WeightsDescription.Describe(metadata, keys)}: it does not say which network it holds; " +
            $"expected '{ModelRegistry.ArchKey}' and '{ModelRegistry.SpecKey}' metadata, as ModelFile.Save and `workbench train` write " +
            $"(colorizers registered: {string.Join(", ", ModelRegistry.Names(ModelRegistry.Tasks.Colorize))}; or build the network and call load_state_dict)");
    }
}
