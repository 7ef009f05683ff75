using System.Runtime.InteropServices;
using System.Text.Json;

using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Data;

/// <summary>Compares with skimage.color on the arrays written by tests/reference/color_space_reference.py.</summary>
public sealed class ColorSpaceTests
{
    private static readonly Lazy<string> Reference = new(() => PythonReference.Run("color_space_reference.py"));

    [Theory]
    [InlineData("yuv", 1e-4)]
    [InlineData("ycbcr", 1e-4 * 255)]  // same relative accuracy; skimage's YCbCr is on the 0–255 scale
    [InlineData("lab", 1e-3)]
    public void ForwardConversionsMatchSkimage(string name, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        var rgb = Load("rgb");
        var actual = name switch
        {
            "yuv" => ColorSpace.RgbToYuv(rgb),
            "ycbcr" => ColorSpace.RgbToYCbCr(rgb),
            _ => ColorSpace.RgbToLab(rgb),
        };
        AssertClose(Load(name), actual, tolerance);
    }

    [Fact]
    public void LabToRgbMatchesSkimageIncludingOutOfGamutValues()
    {
        using var scope = torch.NewDisposeScope();
        AssertClose(Load("lab_rgb"), ColorSpace.LabToRgb(Load("lab_in")), 1e-4);
    }

    [Fact]
    public void InversesRoundTrip()
    {
        using var scope = torch.NewDisposeScope();
        var rgb = Load("rgb").to(ScalarType.Float64);
        AssertClose(rgb, ColorSpace.YuvToRgb(ColorSpace.RgbToYuv(rgb)), 1e-9);
        AssertClose(rgb, ColorSpace.YCbCrToRgb(ColorSpace.RgbToYCbCr(rgb)), 1e-9);
        AssertClose(rgb, ColorSpace.LabToRgb(ColorSpace.RgbToLab(rgb)), 1e-6);
    }

    [Fact]
    public void LumaIsTheYOfYuvAndWorksOnBatches()
    {
        using var scope = torch.NewDisposeScope();
        var batch = torch.stack(new[] { Load("rgb"), Load("rgb").flip(-1) });
        var luma = ColorSpace.Luma(batch);
        Assert.Equal(new long[] { 2, 1, 32, 64 }, luma.shape);
        AssertClose(ColorSpace.RgbToYuv(batch).narrow(1, 0, 1), luma, 1e-6);
    }

    [Fact]
    public void LabGradientsAreFiniteEverywhereIncludingBlackAndWhite()
    {
        using var scope = torch.NewDisposeScope();
        var rgb = Load("rgb").clone();  // holds exact 0s, 1s and values on the curve's knee
        rgb.requires_grad = true;
        ColorSpace.RgbToLab(rgb).square().sum().backward();
        Assert.True(rgb.grad!.isfinite().all().item<bool>());

        var lab = Load("lab_in").clone();
        lab.requires_grad = true;
        ColorSpace.LabToRgb(lab).sum().backward();
        Assert.True(lab.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void RejectsNonRgbShapes()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ColorSpace.RgbToLab(torch.zeros(1, 4, 4)));
        Assert.Throws<ArgumentException>(() => ColorSpace.Luma(torch.zeros(4, 4)));
        Assert.Throws<ArgumentException>(() => ColorSpace.RgbToYuv(torch.zeros(new long[] { 3, 4, 4 }, ScalarType.Int64)));
    }

    private static Tensor Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Reference.Value, "index.json")));
        var entry = doc.RootElement.GetProperty(name);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(Reference.Value, name + ".bin"));
        return entry.GetProperty("dtype").GetString() == "float32"
            ? torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape)
            : torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        var error = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(error <= tolerance, $"max abs error {error:G4} > {tolerance:G4}");
    }
}
