using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Tests.Models;

/// <summary>Folding spectral norms keeps an eval-mode network's outputs bit for bit and leaves plain weights.</summary>
public sealed class SpectralNormFoldingTests
{
    [Fact]
    public void FoldedNetworkGivesTheSameOutputWithPlainWeights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var net = new nn.Sequential(UnetLayers.ConvLayer(3, 8), UnetLayers.ConvLayer(8, 4, ks: 1, use_activation: false));
        net.eval();
        var x = torch.randn([1, 3, 12, 10]);
        Tensor before;
        using (torch.no_grad()) before = net.call(x);

        Assert.Equal(2, SpectralNormFolding.Fold(net));

        Tensor after;
        using (torch.no_grad()) after = net.call(x);
        Assert.True(after.equal(before), "folding changed the output");
        var keys = net.state_dict().Keys.ToList();
        Assert.Contains("0.0.weight", keys);
        Assert.DoesNotContain(keys, k => k.EndsWith("weight_orig", StringComparison.Ordinal) || k.EndsWith("weight_u", StringComparison.Ordinal));
        Assert.Equal(0, SpectralNormFolding.Fold(net));
    }
}
