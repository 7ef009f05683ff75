using Workbench.Models.SuperResolution;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

public class SuperResolutionModelsTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"workbench-srmodels-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(path);

    public static TheoryData<string> Networks => new(["espcn", "espcn-x2x2", "rrdb", "rrdb-head", "dilated-rrdb", "dilated-rrdb-head"]);

    private static nn.Module<Tensor, Tensor> Build(string name) => name switch
    {
        "espcn" => new Espcn(3, 24),
        "espcn-x2x2" => new Espcn(4, 16, head: new UpsampleHead(16, 4, UpsampleSteps.X2Steps, 12, 2)),
        "rrdb" => new RrdbNet(scale: 2, num_feat: 8, num_block: 1, num_grow_ch: 4),
        "rrdb-head" => new RrdbNet(scale: 4, num_feat: 8, num_block: 1, num_grow_ch: 4, head: new UpsampleHead(8, 4, UpsampleSteps.OneStep, 6, 1)),
        "dilated-rrdb" => new DilatedRrdbNet(2, 8, 1, 3, 8),
        _ => new DilatedRrdbNet(4, 8, 1, 2, 8, head: new UpsampleHead(8, 4, UpsampleSteps.X2Steps, 8, 0)),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void WeightsFileRebuildsTheNetwork(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var model = Build(name);
        var net = (ISuperResolutionNet)model;
        SuperResolutionModels.Save(model, path);
        var (loaded, arch, scale) = SuperResolutionModels.Load(path);
        using (loaded)
        {
            Assert.Equal((net.Architecture, net.Scale), (arch, scale));
            Assert.Equal(model.GetType(), loaded.GetType());
            var x = torch.rand(1, 3, 8, 8);
            Assert.True(model.eval().call(x).equal(loaded.eval().call(x)));
        }
    }

    [Theory]
    [InlineData("espcn")]
    [InlineData("rrdb")]
    [InlineData("dilated-rrdb")]
    public void FilesWithoutMetadataAreRecognisedByTheirKeysAndShapes(string name)
    {
        // Checkpoints converted from the notes' or BasicSR's PyTorch code: the keys tell the architecture, the shapes
        // widths, depths and scale; --arch agrees.
        using var scope = torch.NewDisposeScope();
        using var model = Build(name);
        SafeTensors.Save(path, model.state_dict());
        foreach (var named in new[] { null, name })
        {
            var (loaded, arch, scale) = SuperResolutionModels.Load(path, named);
            using (loaded)
            {
                Assert.Equal((name, ((ISuperResolutionNet)model).Scale), (arch, scale));
                Assert.Equal(((ISuperResolutionNet)model).Hyperparameters, ((ISuperResolutionNet)loaded).Hyperparameters);
            }
        }
        Assert.Contains("not x5", Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path, name, 5)).Message);
    }

    [Fact]
    public void WeightsThatDoNotFitAreRefusedWithTheReason()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new Espcn(2, 8);
        SafeTensors.Save(path, model.state_dict(), new Dictionary<string, string> { ["arch"] = "espcn", ["scale"] = "2", ["channels"] = "16" });
        var message = Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path)).Message;
        Assert.Contains("does not fit a x2 'espcn' network: size mismatch for layers.0.weight", message);
        Assert.DoesNotContain("\n", message);
    }

    [Fact]
    public void KeysOfAnotherNetworkAreCountedNotListed()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new RrdbNet(scale: 2, num_feat: 8, num_block: 2, num_grow_ch: 4);
        SafeTensors.Save(path, model.state_dict());
        var message = Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path, "espcn", 2)).Message;
        Assert.Matches(@"weights without metadata \(\d+ tensor\(s\): .*\) does not fit a x2 'espcn' network", message);
        Assert.Matches(@"\d+ expected key\(s\) missing \(layers\.0\..*\), \d+ unexpected key\(s\)", message);
        Assert.True(message.Length < 500, message);
    }

    [Fact]
    public void MismatchesAndUnknownNamesAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new Espcn(2, 8);
        SuperResolutionModels.Save(model, path);
        Assert.Contains("not 'rrdb'", Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path, "rrdb")).Message);
        Assert.Contains("not x4", Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path, scale: 4)).Message);
        Assert.Contains("espcn, rrdb, dilated-rrdb", Assert.Throws<ArgumentException>(() => SuperResolutionModels.Create("srgan", 4)).Message);
    }
}
