using Workbench.Inference;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Models.SuperResolution;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

public class ModelRegistryTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"workbench-registry-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(path);

    private static string Published(string file) => Path.Combine(PythonReference.Run("published_sr_checkpoints.py"), file);

    private static readonly Lazy<Dictionary<string, Tensor>> Expected = new(() =>
    {
        var tensors = SafeTensors.Load(Published("expected.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope();
        return tensors;
    });

    [Fact]
    public void OneRegistryHoldsBothFamiliesAndUnknownNamesListTheKnownOnes()
    {
        Assert.Equal(["espcn", "rrdb", "dilated-rrdb", "srvgg-compact", nameof(DynamicUnet), nameof(HypercolumnColorizer), nameof(ZhangColorizer),
            "zhang-eccv16", "zhang-siggraph17", "deoldify-artistic", "deoldify-stable"], ModelRegistry.Names());
        Assert.Equal(["espcn", "rrdb", "dilated-rrdb", "srvgg-compact"], ModelRegistry.Names(ModelRegistry.Tasks.SuperResolution));
        var message = Assert.Throws<ArgumentException>(() => ModelRegistry.Get("srgan")).Message;
        Assert.Contains("unknown architecture 'srgan'; known: espcn, rrdb, dilated-rrdb, srvgg-compact, DynamicUnet", message);
    }

    [Theory]
    [InlineData("RealESRGAN_x4plus_tiny.pth", "rrdb", 4)]
    [InlineData("RealESRGAN_x2plus_tiny.pth", "rrdb", 2)]
    [InlineData("espcn_notes_legacy.pth", "espcn", 3)]
    public void PublishedCheckpointsLoadByTheirKeysAndRunAsPyTorchDoes(string file, string arch, long scale)
    {
        // BasicSR's params_ema (not params), the notes' layout saved from DataParallel in the legacy format: no --arch, no --scale.
        using var scope = torch.NewDisposeScope();
        var (model, loadedArch, loadedScale) = SuperResolutionModels.Load(Published(file));
        using (model)
        {
            Assert.Equal((arch, scale), (loadedArch, loadedScale));
            using (torch.no_grad())
                Assert.InRange(ColorizeReference.Error(model.eval().call(Expected.Value["in"]), Expected.Value[Path.GetFileNameWithoutExtension(file) + "/out"]), 0, 1e-5);
        }
    }

    [Fact]
    public void WeightsThatFitNoLayoutAskForTheArchitecture()
    {
        using var scope = torch.NewDisposeScope();
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["encoder.0.weight"] = torch.zeros(2, 3) });
        var message = Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path)).Message;
        Assert.Contains("fits no registered SR architecture's key layout; say which it is with --arch (espcn, rrdb, dilated-rrdb, srvgg-compact)", message);
    }

    [Fact]
    public void ColorizersSaveInTheRegistrySchemaAndFilesOfTheOlderSchemaStillLoad()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        var info = new ModelFileInfo(nameof(ZhangColorizer), colorizer.Spec.ToJson(), "colorize");
        ModelFile.Save(path, colorizer, info);
        var metadata = SafeTensors.ReadHeader(path).Metadata;
        Assert.Equal((nameof(ZhangColorizer), colorizer.Spec.ToJson(), "colorize"), (metadata["arch"], metadata["spec"], metadata["task"]));

        // As models/colorizer.safetensors and every colorizer written before the registry.
        SafeTensors.Save(path, colorizer.state_dict(), new Dictionary<string, string>
        {
            ["workbench.network"] = nameof(ZhangColorizer), ["workbench.architecture"] = colorizer.Spec.ToJson(), ["workbench.task"] = "defade",
        });
        Assert.Equal(info with { Task = "defade" }, ModelFile.ReadInfo(path));
        var (loaded, loadedInfo) = ModelFile.Load(path);
        using (loaded)
        {
            Assert.IsType<ZhangColorizer>(loaded);
            Assert.Equal("defade", loadedInfo.Task);
        }
    }

    [Fact]
    public void ASuperResolutionFileIsNotTakenForAColorizerNorTheOtherWayRound()
    {
        using var scope = torch.NewDisposeScope();
        using (var espcn = new Espcn(2, 8)) SuperResolutionModels.Save(espcn, path);
        Assert.Contains("is a x2 super-resolution network ('espcn'), not a colorization model", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);
        using (var zhang = new ZhangSpec(Width: 4).Build()) ModelFile.Save(path, zhang, new ModelFileInfo(nameof(ZhangColorizer), zhang.Spec.ToJson(), "colorize"));
        Assert.Contains("is a colorize model (ZhangColorizer), not a super-resolution network", Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path)).Message);
    }
}
