using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Models;

/// <summary>
/// The convolutional part of torchvision's VGG (Simonyan &amp; Zisserman 2014) without BatchNorm, as a frozen
/// feature extractor for perceptual losses. <c>features</c> is torchvision's Sequential with the same indices
/// (conv, ReLU, ..., MaxPool), so a safetensors converted from torchvision's state_dict loads as is. Build only
/// the layers a loss needs with <c>last_layer</c>.
/// <para>Pretrained weights cannot be downloaded here. Convert them once where torchvision has them:</para>
/// <code>
/// # from the repository root, with torch + torchvision
/// import sys, torchvision; sys.path.insert(0, "tests/reference"); from safetensors_io import save
/// sd = torchvision.models.vgg16(weights="IMAGENET1K_V1").state_dict(); save("vgg16.safetensors", {k: v for k, v in sd.items() if k.startswith("features")})
/// </code>
/// <para>(<c>vgg19</c> / <c>IMAGENET1K_V1</c> for VGG19.) Then <c>Vgg16.FromSafeTensors("vgg16.safetensors")</c>. Without a file,
/// <see cref="Vgg16.Random"/> gives seeded random weights and <see cref="IsPretrained"/> stays false: a loss on
/// them is a random-feature loss, not a perceptual one, and the losses say so.</para>
/// </summary>
public abstract class Vgg : nn.Module<Tensor, Tensor>
{
    /// <summary>Channel counts per conv, 0 for a 2x2 max pool (torchvision's cfgs "D" and "E").</summary>
    private protected static readonly int[] ConfigD = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
    private protected static readonly int[] ConfigE = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0];

    private readonly nn.Sequential features;

    private protected Vgg(int[] config, int? last_layer)
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        long channels = 3;
        foreach (var c in config)
        {
            if (c == 0) modules.Add(new nn.MaxPool2d(2, stride: 2));
            else
            {
                modules.Add(new nn.Conv2d(channels, c, 3, padding: 1));
                modules.Add(new nn.ReLU()); // not in place: features are read before it
                channels = c;
            }
        }
        if (last_layer is { } last)
        {
            if (last < 0 || last >= modules.Count) throw new ArgumentOutOfRangeException(nameof(last_layer), last, $"{GetType().Name} has feature layers 0..{modules.Count - 1}");
            foreach (var m in modules.Skip(last + 1)) m.Dispose();
            modules = modules.Take(last + 1).ToList();
        }
        features = register_module("features", new nn.Sequential(modules.ToArray()));
        // torchvision's init: Kaiming normal (fan_out, ReLU) and zero bias keep random features at a useful scale.
        using (torch.no_grad())
        {
            foreach (var conv in modules.OfType<nn.Conv2d>())
            {
                nn.init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu");
                nn.init.zeros_(conv.bias!);
            }
        }
    }

    /// <summary>True only when the weights came from a file (<see cref="FromSafeTensors"/>-style loaders).</summary>
    public bool IsPretrained { get; private protected set; }

    /// <summary>Number of layers in <c>features</c> (the index after the last one built).</summary>
    public int LayerCount => features.Count;

    /// <summary>Indices of the conv layers: the "before activation" feature points.</summary>
    public IReadOnlyList<int> ConvIndices => Enumerable.Range(0, features.Count).Where(i => features[i] is nn.Conv2d).ToList();

    /// <summary>Runs all built layers (input already ImageNet-normalized): (N, 3, H, W) → the last layer's output.</summary>
    public override Tensor forward(Tensor x) => Extract(x, [features.Count - 1])[0];

    /// <summary>
    /// The outputs of the layers at <paramref name="layers"/> (indices into <c>features</c>, ascending), stopping after
    /// the last one needed. A conv index gives features before the ReLU (all signs kept); the input must already be
    /// normalized with ImageNet's mean and std.
    /// </summary>
    public IReadOnlyList<Tensor> Extract(Tensor x, IReadOnlyList<int> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("no layers to extract", nameof(layers));
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i] < 0 || layers[i] >= features.Count) throw new ArgumentOutOfRangeException(nameof(layers), layers[i], $"this {GetType().Name} has feature layers 0..{features.Count - 1}");
            if (i > 0 && layers[i] <= layers[i - 1]) throw new ArgumentException("layer indices must be strictly ascending", nameof(layers));
        }
        ShapeChecks.Image(x, 3, GetType().Name);
        using var scope = torch.NewDisposeScope();
        var outputs = new List<Tensor>(layers.Count);
        var h = x;
        var next = 0;
        for (var i = 0; i <= layers[^1]; i++)
        {
            h = features[i].call(h); // spatial size halves at each MaxPool
            if (i == layers[next])
            {
                outputs.Add(h);
                next++;
            }
        }
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return outputs;
    }

    /// <summary>Loads <c>features.N.*</c> tensors from a converted torchvision file; keys beyond the layers built are ignored.</summary>
    private protected void LoadFeatures(string path)
    {
        var all = WeightsFile.ReadStateDict(path); // torchvision's own vgg16-397923af.pth, or a safetensors conversion
        try
        {
            var own = state_dict().Keys.ToHashSet();
            var missing = own.Where(k => !all.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"'{path}' is not a torchvision {GetType().Name} features file: missing {string.Join(", ", missing.Take(4))}{(missing.Count > 4 ? ", ..." : "")}");
            load_state_dict(all.Where(kv => own.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value));
        }
        finally
        {
            foreach (var t in all.Values) t.Dispose();
        }
        IsPretrained = true;
    }

    /// <summary>Freezes the extractor: no gradients for its weights, eval mode.</summary>
    private protected void Freeze()
    {
        this.requires_grad_(false);
        this.eval();
    }

    /// <summary>
    /// Overwrites the convs with torchvision's init drawn from a generator of its own (System.Random seeded with
    /// <paramref name="seed"/>, Box–Muller normals): the same weights for the same seed, whatever else uses torch's
    /// global generator meanwhile (parallel tests, data loading threads).
    /// </summary>
    private protected void SeededInit(long seed)
    {
        var random = new System.Random(unchecked((int)seed ^ (int)(seed >> 32)));
        using var noGrad = torch.no_grad();
        foreach (var conv in features.OfType<nn.Conv2d>())
        {
            var w = conv.weight;
            var std = Math.Sqrt(2.0 / (w.size(0) * w.size(2) * w.size(3))); // Kaiming normal, fan_out, ReLU gain √2
            var values = new float[w.numel()];
            for (var i = 0; i < values.Length; i += 2)
            {
                var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
                var angle = 2 * Math.PI * random.NextDouble();
                values[i] = (float)(std * radius * Math.Cos(angle));
                if (i + 1 < values.Length) values[i + 1] = (float)(std * radius * Math.Sin(angle));
            }
            using var source = torch.tensor(values, w.shape);
            w.copy_(source);
            nn.init.zeros_(conv.bias!);
        }
    }

    /// <summary><paramref name="vgg"/> with torchvision's features from <paramref name="path"/>, frozen (disposed if they do not fit).</summary>
    protected static T Pretrained<T>(T vgg, string path) where T : Vgg
    {
        try
        {
            vgg.LoadFeatures(path);
        }
        catch
        {
            vgg.Dispose();
            throw;
        }
        vgg.Freeze();
        return vgg;
    }

    /// <summary><paramref name="vgg"/> with seeded random weights, frozen.</summary>
    protected static T Seeded<T>(T vgg, long seed) where T : Vgg
    {
        vgg.SeededInit(seed);
        vgg.Freeze();
        return vgg;
    }
}

/// <summary>VGG16's 31 feature layers (13 convs); the SR notes and fastai's feature loss use it.</summary>
public sealed class Vgg16 : Vgg
{
    /// <param name="last_layer">Build features 0..last_layer only (the notes use the first 15 layers: <c>last_layer: 14</c>); null for all.</param>
    public Vgg16(int? last_layer = null) : base(ConfigD, last_layer)
    {
    }

    /// <summary>Pretrained features from torchvision's checkpoint (<c>.pth</c>) or a safetensors conversion of it (see <see cref="Vgg"/>); frozen.</summary>
    public static Vgg16 FromSafeTensors(string path, int? last_layer = null) => Pretrained(new Vgg16(last_layer), path);

    /// <summary>Seeded random weights (torchvision's init, own generator); <see cref="Vgg.IsPretrained"/> is false.</summary>
    public static Vgg16 Random(long seed = 0, int? last_layer = null) => Seeded(new Vgg16(last_layer), seed);
}

/// <summary>VGG19's 37 feature layers (16 convs); ESRGAN / Real-ESRGAN's perceptual loss uses it.</summary>
public sealed class Vgg19 : Vgg
{
    /// <param name="last_layer">Build features 0..last_layer only (Real-ESRGAN's conv5_4 is layer 34); null for all.</param>
    public Vgg19(int? last_layer = null) : base(ConfigE, last_layer)
    {
    }

    /// <inheritdoc cref="Vgg16.FromSafeTensors"/>
    public static Vgg19 FromSafeTensors(string path, int? last_layer = null) => Pretrained(new Vgg19(last_layer), path);

    /// <inheritdoc cref="Vgg16.Random"/>
    public static Vgg19 Random(long seed = 0, int? last_layer = null) => Seeded(new Vgg19(last_layer), seed);
}
