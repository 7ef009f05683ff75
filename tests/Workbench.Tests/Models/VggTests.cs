using Workbench.Models;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

public class VggTests
{
    /// <summary>The reference's random VGG16 (layers 0..22) as a safetensors file, as a user's converted file would be.</summary>
    internal static string ReferenceWeightsFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"workbench-vgg16-ref-{Environment.ProcessId}.safetensors");
        lock (typeof(VggTests))
            if (!File.Exists(path)) SafeTensors.Save(path, SrReference.Under("vgg16/state"));
        return path;
    }

    [Theory]
    [InlineData("vgg16")]
    [InlineData("vgg19")]
    public void StateDictIsTorchvisions(string name)
    {
        using Vgg vgg = name == "vgg16" ? new Vgg16() : new Vgg19();
        var expected = SrReference.VggKeys(name);
        var actual = vgg.state_dict();
        Assert.Equal(expected.Select(e => e.Key), actual.Keys);
        foreach (var (key, shape) in expected) Assert.Equal(shape, actual[key].shape);
    }

    [Fact]
    public void FeaturesBeforeActivationMatchPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        using var vgg = Vgg16.FromSafeTensors(ReferenceWeightsFile(), last_layer: 22);
        Assert.True(vgg.IsPretrained);
        Assert.All(vgg.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(vgg.training);
        var mean = torch.tensor(new[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
        var std = torch.tensor(new[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
        var x = SrReference.Get("vgg16_features/in0").clone().requires_grad_();
        var features = vgg.Extract((x - mean) / std, vgg.ConvIndices);
        Tensor? total = null;
        for (var i = 0; i < features.Count; i++)
        {
            SrReference.AssertClose($"conv feature {i}", SrReference.Get($"vgg16_features/out/{i}"), features[i]);
            var term = (features[i] * SrReference.Get($"vgg16_features/gout/{i}")).sum();
            total = total is null ? term : total + term;
        }
        Assert.True(features.Any(f => f.min().item<float>() < 0), "pre-activation features keep negative values");
        total!.backward();
        SrReference.AssertClose("input gradient", SrReference.Get("vgg16_features/grad/in0"), x.grad!);
    }

    [Fact]
    public void RandomWeightsAreSeededAndSaySo()
    {
        using var scope = torch.NewDisposeScope();
        using var a = Vgg16.Random(3, last_layer: 4);
        using var b = Vgg16.Random(3, last_layer: 4);
        using var c = Vgg16.Random(4, last_layer: 4);
        Assert.False(a.IsPretrained);
        var w = a.state_dict()["features.2.weight"];
        Assert.True(w.equal(b.state_dict()["features.2.weight"]));
        Assert.False(w.equal(c.state_dict()["features.2.weight"]));
        Assert.Equal(Math.Sqrt(2.0 / (64 * 9)), w.std().item<float>(), 2); // torchvision's Kaiming (fan_out) scale
    }

    [Fact]
    public void RejectsAFileThatIsNotVggFeatures()
    {
        var path = Path.Combine(Path.GetTempPath(), $"workbench-not-vgg-{Environment.ProcessId}.safetensors");
        using (var scope = torch.NewDisposeScope()) SafeTensors.Save(path, new Dictionary<string, Tensor> { ["conv.weight"] = torch.zeros(1) });
        Assert.Contains("missing features.0.weight", Assert.Throws<InvalidDataException>(() => Vgg16.FromSafeTensors(path)).Message);
        File.Delete(path);
    }

    [Fact]
    public void RejectsBadLayerRequests()
    {
        using var scope = torch.NewDisposeScope();
        using var vgg = new Vgg16(last_layer: 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => vgg.Extract(torch.rand(1, 3, 8, 8), [5]));
        Assert.Throws<ArgumentException>(() => vgg.Extract(torch.rand(1, 3, 8, 8), [2, 0]));
        Assert.Throws<ArgumentException>(() => vgg.Extract(torch.rand(1, 1, 8, 8), [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vgg16(last_layer: 31));
    }
}
