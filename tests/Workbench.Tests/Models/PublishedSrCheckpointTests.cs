using Workbench.Models;
using Workbench.Models.SuperResolution;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>
/// Real-ESRGAN's compact models (SRVGGNetCompact) and the original ESRGAN x4 files (2018 flattened-Sequential naming,
/// 2019 RRDBNet_arch.py naming) load by their keys alone and run as PyTorch 1.13 does (tests/reference/published_sr_compact.py);
/// SrVggNetCompact's forward and gradients match upstream's module.
/// </summary>
public sealed class PublishedSrCheckpointTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"workbench-published-sr-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(path);

    private static string Published(string file) => Path.Combine(PythonReference.Run("published_sr_compact.py"), file);

    private static readonly Lazy<Dictionary<string, Tensor>> Expected = new(() =>
    {
        var tensors = SafeTensors.Load(Published("expected.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every test
        return tensors;
    });

    private static Dictionary<string, Tensor> Under(string prefix) =>
        Expected.Value.Where(kv => kv.Key.StartsWith(prefix + "/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(prefix.Length + 1)..], kv => kv.Value);

    [Fact]
    public void RealEsrganCompactFileLoadsWithItsShapeAndRunsAsPyTorchDoes()
    {
        // {'params': ...} as realesr-general-x4v3.pth: width, depth, scale and PReLU read from the keys, no --arch, no --scale.
        using var scope = torch.NewDisposeScope();
        var (model, arch, scale) = SuperResolutionModels.Load(Published("realesr-general-x4v3_tiny.pth"));
        using (model)
        {
            Assert.Equal(("srvgg-compact", 4L), (arch, scale));
            var net = Assert.IsType<SrVggNetCompact>(model);
            Assert.Equal((8L, 3L, 3L, 3L, "prelu"), (net.num_feat, net.num_conv, net.num_in_ch, net.num_out_ch, net.act_type));
            using (torch.no_grad())
                Assert.InRange(ColorizeReference.Error(model.eval().call(Expected.Value["in"]), Expected.Value["realesr-general-x4v3_tiny/out"]), 0, 1e-5);
        }
    }

    [Theory]
    [InlineData("RRDB_ESRGAN_x4_2018_tiny.pth", "ESRGAN 2018", 2)]
    [InlineData("RRDB_ESRGAN_x4_tiny.pth", "ESRGAN 2019", 3)]
    public void OriginalEsrganFilesLoadAsRrdbAndRunAsPyTorchDoes(string file, string layout, long blocks)
    {
        // Bare state_dicts in the legacy (pre-1.6) format, ESRGAN's own names renamed to BasicSR's.
        using var scope = torch.NewDisposeScope();
        var (tensors, _) = WeightsFile.Read(Published(file));
        var fits = ModelRegistry.Recognise(tensors, ModelRegistry.Tasks.SuperResolution);
        Assert.Equal("rrdb", Assert.Single(fits).Entry.Name);
        Assert.StartsWith(layout, fits[0].Layout.Name, StringComparison.Ordinal);
        foreach (var t in tensors.Values) t.Dispose();

        var (model, arch, scale) = SuperResolutionModels.Load(Published(file));
        using (model)
        {
            Assert.Equal(("rrdb", 4L), (arch, scale));
            var net = Assert.IsType<RrdbNet>(model);
            Assert.Equal((8L, blocks, 4L), (net.num_feat, net.num_block, net.num_grow_ch));
            using (torch.no_grad())
                Assert.InRange(ColorizeReference.Error(model.eval().call(Expected.Value["in"]), Expected.Value[Path.GetFileNameWithoutExtension(file) + "/out"]), 0, 1e-5);
        }
    }

    [Theory]
    [InlineData("srvgg_prelu", "prelu", 2, 4)]
    [InlineData("srvgg_relu", "relu", 1, 2)]
    [InlineData("srvgg_leakyrelu", "leakyrelu", 2, 3)]
    public void SrVggNetCompactMatchesUpstreamsModuleWithItsKeys(string name, string act, long numConv, long scale)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new SrVggNetCompact(num_feat: 6, num_conv: numConv, upscale: scale, act_type: act);
        var state = Under(name + "/state");
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
        model.load_state_dict(state);
        var x = Expected.Value[name + "/in0"].clone().requires_grad_();
        var y = model.call(x);
        SrReference.AssertClose($"{name}: output", Expected.Value[name + "/out"], y);
        (y * Expected.Value[name + "/gout"]).sum().backward();
        SrReference.AssertClose($"{name}: input gradient", Expected.Value[name + "/grad_in0"], x.grad!);
        var grads = Under(name + "/grad/param");
        foreach (var (p, t) in model.named_parameters())
            SrReference.AssertClose($"{name}: gradient of {p}", grads[p], t.grad!, 1e-4);
    }

    [Fact]
    public void KeysAreUpstreams()
    {
        using var prelu = new SrVggNetCompact(num_feat: 4, num_conv: 1, upscale: 2);
        Assert.Equal(["body.0.weight", "body.0.bias", "body.1.weight", "body.2.weight", "body.2.bias", "body.3.weight", "body.4.weight", "body.4.bias"],
            prelu.state_dict().Keys);
        Assert.Equal([4L], prelu.state_dict()["body.1.weight"].shape); // PReLU(num_parameters=num_feat)
        using var relu = new SrVggNetCompact(num_feat: 4, num_conv: 1, upscale: 2, act_type: "relu");
        Assert.Equal(["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "body.4.weight", "body.4.bias"], relu.state_dict().Keys);
        Assert.Equal([12L, 4, 3, 3], relu.state_dict()["body.4.weight"].shape); // num_out_ch · upscale²
    }

    [Fact]
    public void EachLayoutFitsOnlyItsOwnEntry()
    {
        using var scope = torch.NewDisposeScope();
        string Fit(nn.Module model) => string.Join(",", ModelRegistry.Recognise(model.state_dict(), ModelRegistry.Tasks.SuperResolution).Select(f => f.Entry.Name));
        using (var m = new SrVggNetCompact(num_feat: 4, num_conv: 2, upscale: 3)) Assert.Equal("srvgg-compact", Fit(m));
        using (var m = new SrVggNetCompact(num_feat: 4, num_conv: 0, upscale: 1)) Assert.Equal("srvgg-compact", Fit(m));
        using (var m = new RrdbNet(scale: 4, num_feat: 4, num_block: 1, num_grow_ch: 2)) Assert.Equal("rrdb", Fit(m));
        using (var m = new RrdbNet(scale: 2, num_feat: 4, num_block: 2, num_grow_ch: 2)) Assert.Equal("rrdb", Fit(m));
        using (var m = new Espcn(2, 8)) Assert.Equal("espcn", Fit(m));
        using (var m = new DilatedRrdbNet(scale: 2, channels: 8, num_res_blocks: 2, head_channels: 8)) Assert.Equal("dilated-rrdb", Fit(m));
        // Our BasicSR-named RRDB is read by BasicSR's layout, not ESRGAN's.
        using (var m = new RrdbNet(scale: 4, num_feat: 4, num_block: 1, num_grow_ch: 2))
            Assert.StartsWith("BasicSR", ModelRegistry.Get("rrdb").Recognise(m.state_dict())!.Value.Layout.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void CompactWeightsTheLayoutCannotPlaceAreNotRecognised()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new SrVggNetCompact(num_feat: 4, num_conv: 1, upscale: 2);
        var state = model.state_dict();
        bool Fits(IReadOnlyDictionary<string, Tensor> w) => ModelRegistry.Get("srvgg-compact").Recognise(w) is not null;
        Assert.True(Fits(state));
        Assert.False(Fits(state.Where(kv => kv.Key != "body.3.weight").ToDictionary()));                 // one PReLU missing
        Assert.False(Fits(state.Where(kv => kv.Key != "body.2.bias").ToDictionary()));                   // a conv without bias
        Assert.False(Fits(new Dictionary<string, Tensor>(state) { ["body.5.weight"] = torch.zeros(4) })); // an even length
        Assert.False(Fits(new Dictionary<string, Tensor>(state) { ["upsampler.weight"] = torch.zeros(4) }));
        Assert.False(Fits(new Dictionary<string, Tensor>(state) { ["body.1.weight"] = torch.zeros(1) }));  // a shared slope: not upstream's
    }

    [Fact]
    public void OldEsrganLayoutsRejectWhatTheyCannotPlace()
    {
        // ESRGAN+'s conv1x1, an x8 file's extra upsampling step, a gap in the block numbering: not ESRGAN x4, so not rrdb.
        using var scope = torch.NewDisposeScope();
        var (tensors, _) = WeightsFile.Read(Published("RRDB_ESRGAN_x4_2018_tiny.pth"));
        var old = tensors;
        bool Fits(IReadOnlyDictionary<string, Tensor> w) => ModelRegistry.Recognise(w, ModelRegistry.Tasks.SuperResolution).Count > 0;
        Assert.True(Fits(old));
        Assert.False(Fits(new Dictionary<string, Tensor>(old) { ["model.1.sub.0.RDB1.conv1x1.weight"] = torch.zeros(1) }));
        Assert.False(Fits(new Dictionary<string, Tensor>(old) { ["model.12.weight"] = torch.zeros(1) }));
        Assert.False(Fits(old.Where(kv => !kv.Key.StartsWith("model.1.sub.1.RDB2.", StringComparison.Ordinal)).ToDictionary()));
        Assert.False(Fits(old.ToDictionary(kv => kv.Key.Replace("model.1.sub.2.", "model.1.sub.5.", StringComparison.Ordinal), kv => kv.Value)));
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("leakyrelu")]
    [InlineData("prelu")]
    public void SavedCompactNetworksLoadWithTheirActivation(string act)
    {
        // ReLU and LeakyReLU leave no keys: our files record act_type in the metadata.
        using var scope = torch.NewDisposeScope();
        using var model = new SrVggNetCompact(num_feat: 4, num_conv: 2, upscale: 3, act_type: act);
        SuperResolutionModels.Save(model, path);
        var (loaded, arch, scale) = SuperResolutionModels.Load(path);
        using (loaded)
        {
            Assert.Equal(("srvgg-compact", 3L, act), (arch, scale, ((SrVggNetCompact)loaded).act_type));
            var x = torch.rand(1, 3, 5, 6) * 2 - 0.5;
            using var noGrad = torch.no_grad();
            Assert.Equal(0, ColorizeReference.Error(loaded.call(x), model.call(x)));
        }
    }

    [Fact]
    public void ACompactFileWithoutPReLUWeightsNeedsItsActivationFromMetadata()
    {
        // ReLU vs LeakyReLU(0.1) cannot be told from keys: the file is named as a compact network, the load names what is missing.
        using var scope = torch.NewDisposeScope();
        using var model = new SrVggNetCompact(num_feat: 4, num_conv: 1, upscale: 2, act_type: "leakyrelu");
        SafeTensors.Save(path, model.state_dict());
        var message = Assert.Throws<ArgumentException>(() => SuperResolutionModels.Load(path)).Message;
        Assert.Contains("does not fit a x2 'srvgg-compact' network", message);
        Assert.Contains("body.1.weight", message);
    }

    [Fact]
    public void CompactOutputIsTheResidualOverNearestUpsampling()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new SrVggNetCompact(num_feat: 4, num_conv: 1, upscale: 2, act_type: "relu");
        using (torch.no_grad())
            foreach (var p in model.parameters()) p.zero_();
        var x = torch.rand(1, 3, 3, 4);
        using var noGrad = torch.no_grad();
        var y = model.call(x);
        Assert.Equal([1L, 3, 6, 8], y.shape);
        Assert.Equal(0, ColorizeReference.Error(y, x.repeat_interleave(2, 2).repeat_interleave(2, 3)));
    }

    [Fact]
    public void RejectsWhatUpstreamCannotBuildOrRun()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("unknown act_type 'gelu'", Assert.Throws<ArgumentException>(() => new SrVggNetCompact(act_type: "gelu")).Message);
        Assert.Contains("must match", Assert.Throws<ArgumentException>(() => new SrVggNetCompact(num_in_ch: 3, num_out_ch: 1)).Message);
        using var model = new SrVggNetCompact(num_feat: 4, num_conv: 0, upscale: 2);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 1, 4, 4))).Message);
    }
}
