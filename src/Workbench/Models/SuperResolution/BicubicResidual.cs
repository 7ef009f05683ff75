using System.Globalization;

using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// Global residual learning over bicubic (VDSR, Kim et al. 2016): output = bicubic(x) + net(x). The wrapped network
/// only has to predict the detail bicubic misses, and with its last conv zeroed it starts exactly at bicubic, so a
/// short run improves on bicubic from its first steps. Bicubic here is the antialiased a = −0.5 kernel (Pillow,
/// MATLAB), the one the held-out comparison uses. State keys are the inner network's under <c>net.</c>.
/// </summary>
public sealed class BicubicResidual : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    private readonly nn.Module<Tensor, Tensor> net;

    /// <param name="net">An SR network that implements <see cref="ISuperResolutionNet"/>.</param>
    /// <param name="zero_last">Zero the weights and bias of the network's last parameterised layer, so it starts at bicubic.</param>
    public BicubicResidual(nn.Module<Tensor, Tensor> net, bool zero_last = true)
    {
        Inner = net as ISuperResolutionNet ?? throw new ArgumentException($"{net.GetName()} does not describe its scale (ISuperResolutionNet)", nameof(net));
        this.net = register_module("net", net);
        if (zero_last) ZeroLastLayer(net);
    }

    /// <summary>The wrapped network (the learned residual).</summary>
    public nn.Module<Tensor, Tensor> Net => net;

    public ISuperResolutionNet Inner { get; }

    public string Architecture => Inner.Architecture;

    public long Scale => Inner.Scale;

    public IReadOnlyDictionary<string, string> Hyperparameters =>
        new Dictionary<string, string>(Inner.Hyperparameters) { ["residual"] = "bicubic" };

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (h, w) = (x.size(2) * Scale, x.size(3) * Scale);
        var bicubic = ImageResize.Resize(x, (int)h, (int)w, InterpolationMode.Bicubic, antialias: true); // (N, 3, H·r, W·r)
        return (bicubic + net.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>The last weight and bias in registration order belong to the output conv in every SR net here.</summary>
    private static void ZeroLastLayer(nn.Module net)
    {
        var last = net.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)).Last().name;
        var prefix = last[..^".weight".Length];
        using var noGrad = torch.no_grad();
        net.get_parameter(last).zero_();
        if (net.named_parameters().Any(p => p.name == prefix + ".bias")) net.get_parameter(prefix + ".bias").zero_();
    }

    public override string extra_repr() => string.Create(CultureInfo.InvariantCulture, $"scale={Scale}, residual over antialiased bicubic");
}
