using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public sealed class ResNetTests
{
    [Fact]
    public void ResNet34LoadsTorchvisionKeysAndMatchesPyTorchFeatureByFeature()
    {
        using var scope = torch.NewDisposeScope();
        using var net = ResNet.resnet34();
        net.load_state_dict(ColorizeReference.Dict("resnet34/state")); // strict: every torchvision key, no other
        net.eval();
        using var noGrad = torch.no_grad();
        var h = ColorizeReference.Get("resnet34/in0");
        var stages = net.Stages();
        var features = new List<Tensor>();
        for (var i = 0; i < stages.Length; i++)
        {
            h = stages[i].call(h);
            if (i is 2 or 4 or 5 or 6 or 7) features.Add(h);
        }
        // Against the float64 reference, within PyTorch float32's own error on this CPU × 8 (at least 1e-5): 36 layers deep,
        // a fixed 1e-5 against PyTorch's float32 result holds only where both sum in the same order.
        for (var i = 0; i < features.Count; i++)
            ColorizeReference.AssertMatches(features[i], $"resnet34/feature{i}", 1e-5);
        ColorizeReference.AssertMatches(net.call(ColorizeReference.Get("resnet34/in0")), "resnet34/eval", 1e-5);
    }

    [Fact]
    public void StageChannelsAndShapesFollowTheBlockType()
    {
        using var scope = torch.NewDisposeScope();
        using var basic = ResNet.resnet18(num_classes: 0, base_width: 8);
        using var bottleneck = new ResNet("bottleneck", new long[] { 1, 1, 1, 1 }, num_classes: 5, base_width: 4);
        Assert.Equal(new long[] { 8, 8, 16, 32, 64 }, basic.StageChannels);
        Assert.Equal(new long[] { 4, 16, 32, 64, 128 }, bottleneck.StageChannels);
        Assert.Equal(new long[] { 2, 5 }, bottleneck.call(torch.rand(2, 3, 64, 64)).shape);
        Assert.Contains("layer2.0.downsample.0.weight", bottleneck.state_dict().Keys);
        Assert.Throws<InvalidOperationException>(() => basic.call(torch.rand(1, 3, 32, 32)));
        Assert.Throws<ArgumentException>(() => ResNet.Create("resnet19"));
    }
}
