using F = Workbench.Torch.nn.functional;

namespace Workbench.Torch.Tests;

/// <summary>Output shapes of the layers and their errors on bad arguments and bad inputs (values are in NnParityTests).</summary>
public class LayerShapeTests
{
    private static long[] Shape(nn.Module<Tensor, Tensor> m, params long[] input)
    {
        using var scope = torch.NewDisposeScope();
        using (m) return m.call(torch.randn(input)).shape;
    }

    [Fact]
    public void LayersProduceTheDocumentedShapes()
    {
        Assert.Equal(new long[] { 2, 16, 8, 8 }, Shape(new nn.Conv2d(3, 16, 3, stride: 2, padding: 1), 2, 3, 16, 16));
        Assert.Equal(new long[] { 2, 16, 15, 17 }, Shape(new nn.Conv2d(3, 16, (4, 2), padding: "same", padding_mode: "reflect"), 2, 3, 15, 17));
        Assert.Equal(new long[] { 2, 8, 32, 32 }, Shape(new nn.ConvTranspose2d(16, 8, 4, stride: 2, padding: 1), 2, 16, 16, 16));
        Assert.Equal(new long[] { 1, 3, 24, 24 }, Shape(new nn.PixelShuffle(4), 1, 48, 6, 6));
        Assert.Equal(new long[] { 1, 48, 6, 6 }, Shape(new nn.PixelUnshuffle(4), 1, 3, 24, 24));
        Assert.Equal(new long[] { 1, 3, 15, 15 }, Shape(new nn.Upsample(scale_factor: 1.5, mode: "bicubic"), 1, 3, 10, 10));
        Assert.Equal(new long[] { 1, 3, 7, 5 }, Shape(new nn.Upsample(size: (7, 5), mode: "bilinear", antialias: true), 1, 3, 30, 20));
        Assert.Equal(new long[] { 2, 4, 3, 3 }, Shape(new nn.MaxPool2d(2), 2, 4, 7, 7));
        Assert.Equal(new long[] { 2, 4, 4, 4 }, Shape(new nn.MaxPool2d(2, ceil_mode: true), 2, 4, 7, 7));
        Assert.Equal(new long[] { 2, 4, 1, 1 }, Shape(new nn.AdaptiveAvgPool2d(1), 2, 4, 7, 9));
        Assert.Equal(new long[] { 2, 36 }, Shape(new nn.Flatten(), 2, 4, 3, 3));
        Assert.Equal(new long[] { 5, 3, 7 }, Shape(new nn.Linear(4, 7), 5, 3, 4));
        Assert.Equal(new long[] { 2, 64, 6, 5 }, Shape(new nn.SelfAttention(64), 2, 64, 6, 5));
        Assert.Equal(new long[] { 3, 5, 6 }, Shape(new nn.InstanceNorm2d(3), 3, 5, 6)); // unbatched (C, H, W)
    }

    [Fact]
    public void BadArgumentsFailWithPyTorchsMessages()
    {
        Assert.Equal("in_channels must be divisible by groups", Assert.Throws<ArgumentException>(() => new nn.Conv2d(3, 6, 3, groups: 2)).Message);
        Assert.StartsWith("padding_mode must be one of", Assert.Throws<ArgumentException>(() => new nn.Conv2d(3, 6, 3, padding_mode: "mirror")).Message);
        Assert.Equal("padding='same' is not supported for strided convolutions", Assert.Throws<ArgumentException>(() => new nn.Conv2d(3, 6, 3, stride: 2, padding: "same")).Message);
        Assert.StartsWith("Invalid padding string 'full'", Assert.Throws<ArgumentException>(() => new nn.Conv2d(3, 6, 3, padding: "full")).Message);
        Assert.Throws<ArgumentException>(() => new nn.ConvTranspose2d(3, 6, 3, padding_mode: "reflect"));
        Assert.Throws<ArgumentException>(() => new nn.Dropout(1.5));
        Assert.Throws<ArgumentException>(() => new nn.GroupNorm(4, 6));
        Assert.Equal("mean2 is not a valid value for reduction", Assert.Throws<ArgumentException>(() => new nn.MSELoss("mean2")).Message);
    }

    [Fact]
    public void BadInputsFailWithMessages()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new nn.BatchNorm2d(3);
        Assert.Equal("expected 4D input (got 3D input)", Assert.Throws<ArgumentException>(() => bn.call(torch.randn(3, 4, 4))).Message);
        Assert.StartsWith("Expected more than 1 value per channel when training", Assert.Throws<ArgumentException>(() => bn.call(torch.randn(1, 3, 1, 1))).Message);
        using var conv = new nn.Conv2d(3, 4, 3);
        Assert.Contains("expected input[1, 5, 8, 8] to have 3 channels", Assert.Throws<TorchException>(() => conv.call(torch.randn(1, 5, 8, 8))).Message);
        Assert.Throws<ArgumentException>(() => F.interpolate(torch.randn(1, 1, 4, 4), size: 2, scale_factor: 2));
        Assert.Throws<ArgumentException>(() => F.interpolate(torch.randn(1, 1, 4, 4), scale_factor: 2, align_corners: true));
        Assert.Throws<ArgumentException>(() => F.gaussian_blur(torch.randn(1, 1, 8, 8), 4));
        Assert.StartsWith("Target size (torch.Size([2, 3])) must be the same as input size (torch.Size([2, 4]))",
            Assert.Throws<ArgumentException>(() => F.binary_cross_entropy_with_logits(torch.randn(2, 4), torch.rand(2, 3))).Message);
    }

    [Fact]
    public void LossModulesMatchTheirFunctions()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 3);
        var y = torch.rand(4, 3);
        Assert.True(new nn.MSELoss().call(x, y).equal(F.mse_loss(x, y)));
        Assert.True(new nn.L1Loss("sum").call(x, y).equal(F.l1_loss(x, y, "sum")));
        Assert.True(new nn.SmoothL1Loss(beta: 0.5).call(x, y).equal(F.smooth_l1_loss(x, y, beta: 0.5)));
        var pw = torch.tensor(new float[] { 1, 2, 3 });
        using var bce = new nn.BCEWithLogitsLoss(pos_weight: pw);
        Assert.True(bce.call(x, y).equal(F.binary_cross_entropy_with_logits(x, y, pos_weight: pw)));
        Assert.Equal(new[] { "pos_weight" }, bce.state_dict().Keys);
        var target = torch.tensor(new long[] { 0, 2, 1, 2 });
        Assert.True(new nn.CrossEntropyLoss(label_smoothing: 0.1).call(x, target).equal(F.cross_entropy(x, target, label_smoothing: 0.1)));
        Assert.Equal("CrossEntropyLoss()", new nn.CrossEntropyLoss().ToString());
    }
}
