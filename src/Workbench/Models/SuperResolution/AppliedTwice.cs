using System.Globalization;

using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// The SR notes' x4 from a x2 network: y = net(net(x)). Applied to a network trained for x2 alone it shows the
/// artifacts the notes saw; trained this way (the notes' suggestion: "downscale by four while training too, upscale
/// twice and compare") the x2 network learns to take its own output as input. State keys are the inner network's
/// under <c>net.</c>; export the inner network (<see cref="Net"/>) to get a x2 weights file.
/// </summary>
public sealed class AppliedTwice : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    private readonly nn.Module<Tensor, Tensor> net;

    /// <param name="net">The network applied twice (an <see cref="ISuperResolutionNet"/>).</param>
    public AppliedTwice(nn.Module<Tensor, Tensor> net)
    {
        Inner = net as ISuperResolutionNet ?? throw new ArgumentException($"{net.GetName()} does not describe its scale (ISuperResolutionNet)", nameof(net));
        this.net = register_module("net", net);
    }

    public nn.Module<Tensor, Tensor> Net => net;

    public ISuperResolutionNet Inner { get; }

    public string Architecture => Inner.Architecture;

    public long Scale => Inner.Scale * Inner.Scale;

    public IReadOnlyDictionary<string, string> Hyperparameters =>
        new Dictionary<string, string>(Inner.Hyperparameters) { ["applied_twice"] = "true" };

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var once = net.call(x);    // (N, 3, H·r, W·r)
        var twice = net.call(once); // (N, 3, H·r², W·r²)
        return twice.MoveToOuterDisposeScope();
    }

    public override string extra_repr() => string.Create(CultureInfo.InvariantCulture, $"scale={Scale} (x{Inner.Scale} twice)");
}
