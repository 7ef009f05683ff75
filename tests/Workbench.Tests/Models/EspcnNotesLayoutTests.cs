using Workbench.Models.SuperResolution;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>
/// The SR notes print GeneratorESPCN with all three convs in <c>layers</c> (keys layers.0/2/4): weights PyTorch writes
/// for that module load into <c>upscale --arch espcn</c> (channels and scale read from the shapes), and ours load into
/// it, both giving the same image (tests/reference/espcn_notes_reference.py).
/// </summary>
public sealed class EspcnNotesLayoutTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-espcn-notes-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Float32 convolutions of one library, summed in another order: allow rounding at the output's magnitude.</summary>
    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var tolerance = 1e-5 * Math.Max(1.0, expected.abs().max().item<float>());
        var error = (expected - actual).abs().max().item<float>();
        Assert.True(error <= tolerance, $"max error {error:G3} > {tolerance:G3}");
    }

    [Fact]
    public void ThePyTorchNotesModuleLoadsAsUpscaleArchEspcn()
    {
        using var scope = torch.NewDisposeScope();
        var reference = PythonReference.Run("espcn_notes_reference.py");
        var file = Path.Combine(reference, "notes-espcn.safetensors");
        Assert.True(Espcn.IsNotesLayout(SafeTensors.ReadHeader(file).Entries.Select(e => e.Name)));
        var io = SafeTensors.Load(Path.Combine(reference, "io.safetensors"));
        var (model, arch, scale) = SuperResolutionModels.Load(file, "espcn");
        using (model)
        {
            Assert.Equal(("espcn", 3L), (arch, scale));
            Assert.Equal(24, ((Espcn)model).channels);
            using var noGrad = torch.no_grad();
            AssertClose(io["y"], model.eval().call(io["x"]));
        }
    }

    [Fact]
    public void OurEspcnLoadsIntoTheNotesModule()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var model = new Espcn(scale: 2, channels: 16);
        var weights = Path.Combine(dir, "ours-in-notes-layout.safetensors");
        var notes = Espcn.ToNotesLayout(model.state_dict());
        Assert.Contains("layers.4.weight", notes.Keys);
        Assert.DoesNotContain(notes.Keys, k => k.StartsWith("pixel_shuffle", StringComparison.Ordinal));
        SafeTensors.Save(weights, notes);
        var x = torch.rand(1, 3, 10, 13);
        var input = Path.Combine(dir, "input.safetensors");
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["x"] = x });

        var output = PythonReference.Run("espcn_notes_reference.py", "run", weights, input);
        var y = SafeTensors.Load(Path.Combine(output, "io.safetensors"))["y"];
        using var noGrad = torch.no_grad();
        AssertClose(y, model.eval().call(x));
    }

    [Fact]
    public void OnlyTheDefaultHeadHasAPlaceInTheNotesLayout()
    {
        using var model = new Espcn(4, 16, head: new UpsampleHead(16, 4, UpsampleSteps.X2Steps, 12, 0));
        Assert.Contains("default head", Assert.Throws<ArgumentException>(() => Espcn.ToNotesLayout(model.state_dict())).Message);
    }
}
