using Workbench.Models.Colorization;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// Every architecture Workbench can build from a weights file, in one place (BasicSR's <c>ARCH_REGISTRY</c> and
/// <c>build_network(opt)</c>). A file names its entry in the <c>arch</c> metadata and its hyperparameters beside it;
/// weights without metadata (converted or published checkpoints) are matched by the key layouts each entry accepts.
/// An unknown name fails and lists the known ones; weights that fit several entries list them, and <c>--arch</c> decides.
/// </summary>
public static class ModelRegistry
{
    /// <summary>Metadata: the entry's name.</summary>
    public const string ArchKey = "arch";

    /// <summary>Metadata: the task (<see cref="Tasks"/>); the entry's own task when absent.</summary>
    public const string TaskKey = "task";

    /// <summary>Metadata (colorizers): the network's constructor arguments as JSON (UnetSpec, ZhangSpec, HypercolumnSpec).</summary>
    public const string SpecKey = "spec";

    /// <summary>The tasks a model serves.</summary>
    public static class Tasks
    {
        public const string SuperResolution = "superres";
        public const string Colorize = "colorize";
        public const string Defade = "defade";
    }

    // The schema colorizers were saved with before this registry (models/colorizer.safetensors still is): read, never written.
    private const string LegacyNetworkKey = "workbench.network";
    private const string LegacySpecKey = "workbench.architecture";
    private const string LegacyTaskKey = "workbench.task";

    private static readonly ModelArchitecture[] Entries =
    [
        new("espcn", Tasks.SuperResolution, "ESPCN (Shi et al. 2016): three convs and a sub-pixel conv",
            h => Espcn.FromHyperparameters(Scale(h), h),
            [
                new("workbench", w => Inferred("espcn", w)),
                new("the SR notes' GeneratorESPCN (layers.0/2/4)", w => IsNotesEspcn(w) ? Inferred("espcn", Espcn.FromNotesLayout(w)) : null, Espcn.FromNotesLayout),
            ]),
        new("rrdb", Tasks.SuperResolution, "RRDBNet (ESRGAN) in BasicSR's naming, as Real-ESRGAN's x4plus/x2plus files",
            h => RrdbNet.FromHyperparameters(Scale(h), h),
            [
                // ESRGAN's own names before BasicSR's: its 2019 files also have conv_first and conv_last.
                new("ESRGAN 2018 x4 (model.0, model.1.sub.N.RDB1.conv1.0, model.3/6/8/10)",
                    w => EsrganKeyLayouts.FromSequential(w) is { } ours ? InferredX4Rrdb(ours) : null, w => EsrganKeyLayouts.FromSequential(w) ?? w),
                new("ESRGAN 2019 x4 (conv_first, RRDB_trunk.N.RDB1.conv1, trunk_conv, upconv1, HRconv, conv_last)",
                    w => EsrganKeyLayouts.FromTrunk(w) is { } ours ? InferredX4Rrdb(ours) : null, w => EsrganKeyLayouts.FromTrunk(w) ?? w),
                new("BasicSR RRDBNet (conv_first, body.N.rdb1.conv1, conv_up1, conv_hr, conv_last)", w => Inferred("rrdb", w)),
            ]),
        new("dilated-rrdb", Tasks.SuperResolution, "the SR notes' modified RRDB: dense blocks and dilated blocks",
            h => DilatedRrdbNet.FromHyperparameters(Scale(h), h),
            [new("workbench", w => Inferred("dilated-rrdb", w))]),
        new("srvgg-compact", Tasks.SuperResolution, "Real-ESRGAN's SRVGGNetCompact (realesr-general-x4v3, realesr-animevideov3): convs in low resolution, PixelShuffle, plus nearest",
            h => SrVggNetCompact.FromHyperparameters(Scale(h), h),
            [new("Real-ESRGAN SRVGGNetCompact (body.N: convs and PReLUs alternately)", w => Inferred("srvgg-compact", w))]),
        new(nameof(DynamicUnet), Tasks.Colorize, "fastai/DeOldify U-Net on a ResNet encoder", h => UnetSpec.FromJson(Spec(h)).Build(), []),
        new(nameof(HypercolumnColorizer), Tasks.Colorize, "VGG16 hypercolumn colorizer (the lecture's)", h => HypercolumnSpec.FromJson(Spec(h)).Build(), []),
        new(nameof(ZhangColorizer), Tasks.Colorize, "Zhang et al. 2016 classification colorizer", h => ZhangSpec.FromJson(Spec(h)).Build(), []),
        // Zhang et al.'s released PyTorch colorizers (richzhang/colorization): no hyperparameters, recognised by their keys.
        new("zhang-eccv16", Tasks.Colorize, "Zhang et al. 2016 (ECCV) as released: colorization_release_v2-9b330a0b.pth", _ => new Eccv16Colorizer(),
            [new("richzhang/colorization ECCVGenerator (model1..model8, model_out)", w => Eccv16Colorizer.IsUpstreamLayout(w) ? [] : null)]),
        new("zhang-siggraph17", Tasks.Colorize, "Zhang et al. 2017 (SIGGRAPH) as released: siggraph17-df00044c.pth", _ => new Siggraph17Colorizer(),
            [new("richzhang/colorization SIGGRAPHGenerator (model1..model10, model3short8, model_class, model_out)", w => Siggraph17Colorizer.IsUpstreamLayout(w) ? [] : null)]),
        // DeOldify's published generators (jantic/DeOldify): no hyperparameters, recognised by their exact keys and shapes.
        new("deoldify-artistic", Tasks.Colorize, "DeOldify's artistic generator as released: ColorizeArtistic_gen.pth (DynamicUnetDeep, ResNet-34, nf_factor 1.5)",
            _ => DeOldifyGenerators.Artistic(),
            [new("jantic/DeOldify DynamicUnetDeep on ResNet-34 (layers.0 encoder ... layers.8 weight-normalized shuffle, layers.11 head)", w => DeOldifyGenerators.IsArtisticLayout(w) ? [] : null)]),
        new("deoldify-stable", Tasks.Colorize, "DeOldify's stable (and video) generator as released: ColorizeStable_gen.pth, ColorizeVideo_gen.pth (DynamicUnetWide, ResNet-101, nf_factor 2)",
            _ => DeOldifyGenerators.Stable(),
            [new("jantic/DeOldify DynamicUnetWide on ResNet-101 (layers.0 encoder ... layers.8 weight-normalized shuffle, layers.11 head)", w => DeOldifyGenerators.IsStableLayout(w) ? [] : null)]),
    ];

    /// <summary>All entries, in registration order.</summary>
    public static IReadOnlyList<ModelArchitecture> All => Entries;

    /// <summary>The names of the entries serving <paramref name="task"/> (all entries when null).</summary>
    public static IReadOnlyList<string> Names(string? task = null) =>
        Entries.Where(e => task is null || e.Task == task || (task == Tasks.Defade && e.Task == Tasks.Colorize)).Select(e => e.Name).ToList();

    /// <summary>The entry called <paramref name="name"/>; an unknown name fails and lists the known ones.</summary>
    public static ModelArchitecture Get(string name, string? task = null) =>
        Entries.FirstOrDefault(e => e.Name == name && (task is null || Names(task).Contains(name)))
        ?? throw new ArgumentException($"unknown {(task == Tasks.SuperResolution ? "SR " : "")}architecture '{name}'; known: {string.Join(", ", Names(task))}");

    /// <summary>True when <paramref name="name"/> is registered (for <paramref name="task"/>, when given).</summary>
    public static bool Contains(string name, string? task = null) => Names(task).Contains(name);

    /// <summary>Builds an entry with default weights from its hyperparameters.</summary>
    public static nn.Module<Tensor, Tensor> Build(string name, IReadOnlyDictionary<string, string> hyperparameters) => Get(name).Build(hyperparameters);

    /// <summary>The metadata that describes a network: <c>arch</c>, <c>task</c> and its hyperparameters (then <paramref name="extra"/>).</summary>
    public static Dictionary<string, string> Metadata(string name, IReadOnlyDictionary<string, string> hyperparameters, string? task = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var entry = Get(name);
        var metadata = new Dictionary<string, string>(hyperparameters) { [ArchKey] = entry.Name, [TaskKey] = task ?? entry.Task };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) metadata.TryAdd(k, v);
        return metadata;
    }

    /// <summary>
    /// The metadata in today's schema: files written before the registry named colorizers with <c>workbench.network</c>,
    /// <c>workbench.architecture</c> and <c>workbench.task</c>; those become <c>arch</c>, <c>spec</c> and <c>task</c>.
    /// </summary>
    public static Dictionary<string, string> Normalise(IReadOnlyDictionary<string, string> metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in metadata)
            if (k is not (LegacyNetworkKey or LegacySpecKey or LegacyTaskKey)) result[k] = v;
        if (metadata.TryGetValue(LegacyNetworkKey, out var network)) result.TryAdd(ArchKey, network);
        if (metadata.TryGetValue(LegacySpecKey, out var spec)) result.TryAdd(SpecKey, spec);
        if (metadata.TryGetValue(LegacyTaskKey, out var task)) result.TryAdd(TaskKey, task);
        if (result.TryGetValue(ArchKey, out var arch) && !result.ContainsKey(TaskKey) && Entries.FirstOrDefault(e => e.Name == arch) is { } entry)
            result[TaskKey] = entry.Task;
        return result;
    }

    /// <summary>
    /// The entries whose layouts recognise <paramref name="weights"/> (restricted to <paramref name="task"/>), each with
    /// the layout and the hyperparameters it read.
    /// </summary>
    public static IReadOnlyList<(ModelArchitecture Entry, KeyLayout Layout, Dictionary<string, string> Hyperparameters)> Recognise(
        IReadOnlyDictionary<string, Tensor> weights, string? task = null)
    {
        var found = new List<(ModelArchitecture, KeyLayout, Dictionary<string, string>)>();
        foreach (var entry in Entries.Where(e => Names(task).Contains(e.Name)))
            if (entry.Recognise(weights) is var (layout, hyperparameters)) found.Add((entry, layout, hyperparameters));
        return found;
    }

    /// <summary>
    /// The entry a file names (or <c>--arch</c> names: <paramref name="name"/>), else the one entry whose key layout fits
    /// the weights; with the layout that fits (null when none of the named entry's does) and the hyperparameters it read.
    /// No fit, or several, fails with the candidates and asks for <c>--arch</c>.
    /// </summary>
    public static (ModelArchitecture Entry, KeyLayout? Layout, Dictionary<string, string> Hyperparameters) Resolve(
        string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string? name, string? task = null)
    {
        var kind = task == Tasks.SuperResolution ? "SR " : "";
        if (name is not null)
        {
            var entry = Get(name, task);
            return entry.Recognise(tensors) is var (layout, h) ? (entry, layout, h) : (entry, null, new Dictionary<string, string>());
        }
        var candidates = Recognise(tensors, task);
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new ArgumentException($"'{path}' is {WeightsDescription.Describe(metadata, tensors.Keys.ToList())} and fits no registered {kind}architecture's key layout; " +
                $"say which it is with --arch ({string.Join(", ", Names(task))})"),
            _ => throw new ArgumentException($"'{path}' fits several {kind}architectures ({string.Join("; ", candidates.Select(c => $"{c.Entry.Name}: {c.Layout.Name}"))}); " +
                "say which with --arch"),
        };
    }

    /// <summary>The notes' GeneratorESPCN: exactly three convs, layers.0/2/4 (the dilated RRDB also has layers.0 and layers.4).</summary>
    private static bool IsNotesEspcn(IReadOnlyDictionary<string, Tensor> w) =>
        Espcn.IsNotesLayout(w.Keys) && w.Keys.All(k => k is "layers.0.weight" or "layers.0.bias" or "layers.2.weight" or "layers.2.bias" or "layers.4.weight" or "layers.4.bias");

    private static Dictionary<string, string>? Inferred(string arch, IReadOnlyDictionary<string, Tensor> weights)
    {
        var h = SuperResolutionModels.InferFromWeights(arch, weights);
        return h.Count == 0 ? null : h;
    }

    /// <summary>ESRGAN's own files are x4 and read 3-channel images as they are (no pixel-unshuffle).</summary>
    private static Dictionary<string, string>? InferredX4Rrdb(IReadOnlyDictionary<string, Tensor> ours) =>
        Inferred("rrdb", ours) is { } h && h.GetValueOrDefault("scale") == "4" ? h : null;

    private static long Scale(IReadOnlyDictionary<string, string> h) => h.Long("scale", 0) is var s and > 0
        ? s : throw new ArgumentException("the weights do not record their scale (no 'scale' metadata); say which with --scale");

    private static string Spec(IReadOnlyDictionary<string, string> h) =>
        h.TryGetValue(SpecKey, out var spec) ? spec : throw new ArgumentException($"no '{SpecKey}' (the network's constructor arguments, JSON) in the hyperparameters");
}
