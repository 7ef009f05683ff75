using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

using Xunit.Abstractions;

namespace Workbench.Tests.Data;

/// <summary>Compared with F.interpolate (the same libtorch) and Pillow; tests/reference/resize_reference.py writes the references.</summary>
public sealed class ImageResizeTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, Tensor>> Reference = new(() =>
    {
        var folder = PythonReference.Run("resize_reference.py");
        var tensors = SafeTensors.Load(Path.Combine(folder, "resize.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope();
        return tensors;
    });

    private static Tensor Ref(string key) => Reference.Value[key];

    private double MaxError(Tensor actual, string key)
    {
        var expected = Ref(key);
        Assert.Equal(expected.shape, actual.shape);
        var error = actual.sub(expected).abs().max().item<float>();
        output.WriteLine($"{key}: max abs error {error:E2}");
        return error;
    }

    [Theory]
    [InlineData(InterpolationMode.Bicubic, true, "bicubic_aa")]
    [InlineData(InterpolationMode.Bilinear, true, "bilinear_aa")]
    [InlineData(InterpolationMode.Bicubic, false, "bicubic")]
    [InlineData(InterpolationMode.Bilinear, false, "bilinear")]
    [InlineData(InterpolationMode.Nearest, false, "nearest")]
    public void Resize_MatchesInterpolate_DownAndUp(InterpolationMode mode, bool antialias, string key)
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(MaxError(ImageResize.Resize(Ref("x"), 16, 20, mode, antialias), key + "_down") <= 1e-6);
        Assert.True(MaxError(ImageResize.Resize(Ref("x"), 61, 90, mode, antialias), key + "_up") <= 1e-6);
    }

    [Theory]
    [InlineData(InterpolationMode.Bicubic, "bicubic_down_pillow")]
    [InlineData(InterpolationMode.Bilinear, "bilinear_down_pillow")]
    [InlineData(InterpolationMode.Nearest, "nearest_down_pillow")]
    public void Resize_Downscale_MatchesPillowInFloat(InterpolationMode mode, string key)
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(MaxError(ImageResize.Resize(Ref("x"), 16, 20, mode), key) <= 1e-5);
    }

    [Theory]
    [InlineData(InterpolationMode.Bicubic, "u8_bicubic_pillow")]
    [InlineData(InterpolationMode.Bilinear, "u8_bilinear_pillow")]
    public void Resize_8BitImage_WithinOneLevelOfPillowsIntegerPipeline(InterpolationMode mode, string key)
    {
        using var scope = torch.NewDisposeScope();
        var ours = ImageResize.Resize(Ref("u8_in"), 16, 20, mode).clamp(0, 1).mul(255).round().div(255);
        Assert.True(MaxError(ours, key) * 255 <= 1.0 + 1e-3);
    }

    [Fact]
    public void Resize_Chw_EqualsTheBatchOfOne()
    {
        using var scope = torch.NewDisposeScope();
        var x = Ref("x");
        var chw = ImageResize.Resize(x.select(0, 1), 16, 20);
        Assert.True(chw.equal(ImageResize.Resize(x, 16, 20).select(0, 1)));
    }

    [Fact]
    public void Resize_Area_AveragesByExactPixelCoverage()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(MaxError(ImageResize.Resize(Ref("x"), 16, 20, InterpolationMode.Area), "area_down") <= 1e-5);
    }

    [Fact]
    public void Resize_AreaAtAnIntegerFactor_IsTheBoxAverage()
    {
        using var scope = torch.NewDisposeScope();
        var x = Ref("x").narrow(2, 0, 36).narrow(3, 0, 52);
        var area = ImageResize.Resize(x, 18, 26, InterpolationMode.Area);
        Assert.True(area.sub(ImageResize.Downscale2x(x)).abs().max().item<float>() <= 1e-6);
    }

    [Fact]
    public void Resize_LinearLight_MatchesDecodeResizeEncode()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(MaxError(ImageResize.Resize(Ref("x"), 16, 20, linearLight: true), "bicubic_aa_down_linear") <= 1e-5);
    }

    [Fact]
    public void Resize_LinearLight_AveragesLightNotCodeValues()
    {
        using var scope = torch.NewDisposeScope();
        // A black/white checkerboard halves to 50% light, which is sRGB 0.7354, not to sRGB 0.5.
        var board = torch.arange(0, 16).reshape(4, 4).remainder(2).add(torch.arange(0, 4).reshape(4, 1)).remainder(2).to(ScalarType.Float32).reshape(1, 4, 4);
        var linear = ImageResize.Downscale2x(board, linearLight: true);
        var naive = ImageResize.Downscale2x(board);
        Assert.True(linear.sub(0.7354).abs().max().item<float>() < 1e-3);
        Assert.True(naive.sub(0.5).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Resize_LinearLight_LeavesAlphaAlone()
    {
        using var scope = torch.NewDisposeScope();
        var rgba = torch.cat([Ref("x").select(0, 0), Ref("x").select(0, 1).narrow(0, 0, 1)]);
        var resized = ImageResize.Resize(rgba, 16, 20, linearLight: true);
        var alpha = ImageResize.Resize(rgba.narrow(0, 3, 1), 16, 20);
        Assert.True(resized.narrow(0, 3, 1).equal(alpha));
    }

    [Fact]
    public void Downscale2x_MatchesAvgPool_DroppingAnOddEdge()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(MaxError(ImageResize.Downscale2x(Ref("x")), "downscale2x") <= 1e-6);
        Assert.True(MaxError(ImageResize.Downscale2x(Ref("x"), linearLight: true), "downscale2x_linear") <= 1e-5);
    }

    [Fact]
    public void SrgbCurves_AreInverse()
    {
        using var scope = torch.NewDisposeScope();
        var v = torch.linspace(0, 1, 1001);
        Assert.True(ImageResize.LinearToSrgb(ImageResize.SrgbToLinear(v)).sub(v).abs().max().item<float>() < 1e-6);
        Assert.Equal(0.2140, ImageResize.SrgbToLinear(torch.tensor(0.5)).item<float>(), 4);
    }

    [Fact]
    public void ResizeShorterSide_KeepsAspectAsTorchvision()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 10, 14 }, ImageResize.ResizeShorterSide(Ref("x").select(0, 0), 10).shape); // 53 * 10 / 37 = 14.3
        Assert.Equal(new long[] { 2, 3, 14, 10 }, ImageResize.ResizeShorterSide(Ref("x").transpose(2, 3), 10).shape);
    }

    [Fact]
    public void Resize_RejectsBadInput()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ImageResize.Resize(torch.zeros([3, 4, 4], ScalarType.UInt8), 2, 2));
        Assert.Throws<ArgumentException>(() => ImageResize.Resize(torch.zeros(4, 4), 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.Resize(torch.zeros(3, 4, 4), 0, 2));
        Assert.Throws<ArgumentException>(() => ImageResize.Downscale2x(torch.zeros(3, 1, 4)));
    }
}
