using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Data;

/// <summary>PillowResample against Pillow's own 8-bit resizes (tests/reference/pillow_resample_reference.py): byte for byte.</summary>
public sealed class PillowResampleTests
{
    private static readonly Lazy<Dictionary<string, Tensor>> Expected = new(() =>
    {
        var tensors = SafeTensors.Load(Path.Combine(PythonReference.Run("pillow_resample_reference.py"), "pillow_resample.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope();
        return tensors;
    });

    [Theory]
    [InlineData("bilinear", 16, 20)]
    [InlineData("bilinear", 61, 90)]
    [InlineData("bilinear", 64, 64)]
    [InlineData("bilinear", 37, 20)]
    [InlineData("bilinear", 80, 53)]
    [InlineData("bicubic", 16, 20)]
    [InlineData("bicubic", 61, 90)]
    [InlineData("bicubic", 64, 64)]
    [InlineData("bicubic", 37, 20)]
    [InlineData("bicubic", 80, 53)]
    public void ResizesAsPillowDoesToTheByte(string filter, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var x = Expected.Value["x"].to(ScalarType.Float64);
        var ours = PillowResample.Resize(x, height, width, filter == "bilinear" ? PillowResample.Filter.Bilinear : PillowResample.Filter.Bicubic);
        var pillow = Expected.Value[$"{filter}/{height}x{width}"].to(ScalarType.Float64);
        Assert.Equal(pillow.shape, ours.shape);
        Assert.Equal(0, (ours - pillow).abs().max().item<double>());
    }
}
