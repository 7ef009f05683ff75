namespace Workbench.Torch.Tests;

/// <summary>nn.init: gains, fans, distributions (PyTorch's formulas), orthogonal_ and ICNR. Default layer init is compared with PyTorch's bit for bit in NnParityTests.</summary>
public class initTests
{
    [Fact]
    public void GainsAndFansFollowPyTorch()
    {
        Assert.Equal(Math.Sqrt(2), nn.init.calculate_gain("relu"));
        Assert.Equal(5.0 / 3, nn.init.calculate_gain("tanh"));
        Assert.Equal(Math.Sqrt(2.0 / (1 + 0.2 * 0.2)), nn.init.calculate_gain("leaky_relu", 0.2), 15);
        Assert.Equal(1, nn.init.calculate_gain("conv2d"));
        Assert.Throws<ArgumentException>(() => nn.init.calculate_gain("swish"));
        using var w = torch.empty(64, 32, 3, 3);
        Assert.Equal((32L * 9, 64L * 9), nn.init.calculate_fan_in_and_fan_out(w));
        using var v = torch.empty(5);
        Assert.Throws<ArgumentException>(() => nn.init.calculate_fan_in_and_fan_out(v));
    }

    [Fact]
    public void DistributionsHaveTheDocumentedSpread()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var w = torch.empty(256, 128, 3, 3);
        nn.init.kaiming_normal_(w, mode: "fan_out", nonlinearity: "relu");
        Assert.Equal(Math.Sqrt(2.0 / (256 * 9)), w.std().item<double>(), 3);
        nn.init.kaiming_uniform_(w, a: 0.1);
        var bound = Math.Sqrt(3) * Math.Sqrt(2 / (1 + 0.01)) / Math.Sqrt(128 * 9);
        Assert.True(w.abs().max().item<double>() <= bound);
        Assert.Equal(bound / Math.Sqrt(3), w.std().item<double>(), 3);
        nn.init.xavier_uniform_(w, gain: 2);
        Assert.Equal(2 * Math.Sqrt(2.0 / ((128 + 256) * 9)), w.std().item<double>(), 3);
        nn.init.xavier_normal_(w);
        Assert.Equal(Math.Sqrt(2.0 / ((128 + 256) * 9)), w.std().item<double>(), 3);
        nn.init.constant_(w, 0.25);
        Assert.Equal(0.25, w.mean().item<double>(), 6);
    }

    [Fact]
    public void OrthogonalRowsAreOrthonormal()
    {
        using var scope = torch.NewDisposeScope();
        var wide = nn.init.orthogonal_(torch.empty(4, 3, 2, 2), gain: 1.5);
        var flat = wide.view(4, 12);
        Assert.True(flat.matmul(flat.t()).allclose(torch.eye(4) * 2.25, atol: 1e-5));
        var tall = nn.init.orthogonal_(torch.empty(10, 3));
        Assert.True(tall.t().matmul(tall).allclose(torch.eye(3), atol: 1e-5));
    }

    [Fact]
    public void IcnrMakesConvPlusPixelShuffleANearestNeighbourUpsampler()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var conv = new nn.Conv2d(5, 3 * 4, 3, padding: 1, bias: false);
        nn.init.icnr_(conv.weight, upscale_factor: 2);
        var x = torch.randn(2, 5, 6, 7);
        var shuffled = nn.functional.pixel_shuffle(conv.call(x), 2);
        // Every output channel c·4 + k carries the same kernel, so each 2×2 block repeats the sub-pixel value.
        var sub = conv.weight.slice(0, 0, 12, 4);
        var nearest = nn.functional.interpolate(nn.functional.conv2d(x, sub, padding: 1), scale_factor: 2);
        Assert.True(shuffled.allclose(nearest, atol: 1e-6));
        Assert.Throws<ArgumentException>(() => nn.init.icnr_(torch.empty(6, 3, 3, 3), upscale_factor: 2));
        conv.Dispose();
    }
}
