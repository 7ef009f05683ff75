using Workbench.Data;
using Workbench.Inference;
using Workbench.Tests.Models;
using Workbench.Torch;

using Xunit.Abstractions;

namespace Workbench.Tests.Inference;

/// <summary>The twin: Real-ESRGAN's RealESRGANer.enhance on small published-layout checkpoints (tests/reference/realesrganer_reference.py).</summary>
public sealed class RealEsrganerReference() : PublishedReference("realesrganer_reference.py");

/// <summary>
/// Workbench's RealEsrganer writes the images Real-ESRGAN's pipeline produces (pre_pad, mod pad, tiles, alpha, 16-bit,
/// rounding, outscale), read back from the files it wrote; and the blended-tile mode stays close to the untiled result.
/// </summary>
public sealed class RealEsrganerTests(RealEsrganerReference twin, ITestOutputHelper output) : IClassFixture<RealEsrganerReference>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-realesrganer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // The twin's CASES, in the same order: name, model, image, tile, tile_pad, pre_pad, outscale, alpha_upsampler.
    [Theory]
    [InlineData("x4_tile0", "RealESRGAN_x4plus_small.pth", "rgb8", 0, 10, 0, null, AlphaUpsampler.Model)]
    [InlineData("x4_tile64", "RealESRGAN_x4plus_small.pth", "big8", 64, 10, 10, null, AlphaUpsampler.Model)]
    [InlineData("x4_outscale2.5", "RealESRGAN_x4plus_small.pth", "rgb8", 0, 10, 10, 2.5, AlphaUpsampler.Model)]
    [InlineData("x2_tile32_outscale3.5", "RealESRGAN_x2plus_small.pth", "rgb8", 32, 10, 10, 3.5, AlphaUpsampler.Model)]
    [InlineData("compact_rgba_model", "realesr-general-x4v3_small.pth", "rgba8", 24, 10, 10, null, AlphaUpsampler.Model)]
    [InlineData("x4_rgba_resize", "RealESRGAN_x4plus_small.pth", "rgba8", 0, 10, 10, null, AlphaUpsampler.Resize)]
    [InlineData("x4_16bit_tile32_outscale2.5", "RealESRGAN_x4plus_small.pth", "rgb16", 32, 10, 10, 2.5, AlphaUpsampler.Model)]
    [InlineData("compact_gray", "realesr-general-x4v3_small.pth", "gray8", 0, 10, 10, null, AlphaUpsampler.Model)]
    [InlineData("x4_rgba16_tile32", "RealESRGAN_x4plus_small.pth", "rgba16", 32, 10, 10, null, AlphaUpsampler.Model)]
    public void WritesWhatRealEsrganWrites(string name, string model, string image, int tile, int tilePad, int prePad, double? outScale, AlphaUpsampler alpha)
    {
        using var scope = torch.NewDisposeScope();
        var options = new RealEsrganOptions { Tile = tile, TilePad = tilePad, PrePad = prePad, OutScale = outScale, Alpha = alpha };
        var actual = Run(model, image, options);
        var expected = twin[name];
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        var peak = expected.dtype == ScalarType.Int32 ? 65535 : 255;
        var (psnr, maxDiff, differing) = Compare(actual, expected, peak);
        output.WriteLine($"{name}: {actual.size(1)}x{actual.size(0)}x{actual.size(2)}, {Db(psnr)} against the twin, max |diff| {maxDiff}, {differing} of {actual.numel()} samples differ");
        Assert.True(psnr >= 45, $"{name}: {Db(psnr)} against Real-ESRGAN's pipeline, below 45 dB");
        if (tile > 0)
        {
            // Where upstream's tiles change the image, Workbench's tiles must change it the same way.
            var (untiledPsnr, _, untiledDiffering) = Compare(expected, twin[name + "/tile0"], peak);
            output.WriteLine($"  upstream tiled vs untiled: {Db(untiledPsnr)}, {untiledDiffering} samples differ");
            if (untiledDiffering > 0) Assert.True(differing * 4 < untiledDiffering, $"{name}: {differing} samples differ from upstream's tiled output, {untiledDiffering} between upstream's tiled and untiled ones");
        }
    }

    [Theory]
    [InlineData("x4_tile64", "RealESRGAN_x4plus_small.pth", "big8", 64, 10, 10)]
    [InlineData("x4_16bit_tile32_outscale2.5", "RealESRGAN_x4plus_small.pth", "rgb16", 32, 10, 10)]
    [InlineData("compact_rgba_model", "realesr-general-x4v3_small.pth", "rgba8", 24, 10, 10)]
    public void BlendedTilesStayCloseToTheUntiledImage(string name, string model, string image, int tile, int tilePad, int prePad)
    {
        // Not upstream: the same tiles, blended over tile_pad around each seam. Compared with upstream's untiled output.
        using var scope = torch.NewDisposeScope();
        var outScale = name.Contains("outscale2.5", StringComparison.Ordinal) ? 2.5 : (double?)null;
        var blended = Run(model, image, new RealEsrganOptions { Tile = tile, TilePad = tilePad, PrePad = prePad, OutScale = outScale, TileBlend = true });
        var untiled = twin[name + "/tile0"];
        var peak = untiled.dtype == ScalarType.Int32 ? 65535 : 255;
        var (blendPsnr, blendMax, _) = Compare(blended, untiled, peak);
        var (hardPsnr, hardMax, _) = Compare(twin[name], untiled, peak);
        output.WriteLine($"{name}: against upstream untiled, blended tiles {Db(blendPsnr)} (max |diff| {blendMax}), upstream's tiles {Db(hardPsnr)} (max |diff| {hardMax})");
        Assert.True(blendPsnr >= 45, $"{name}: blended tiles are {Db(blendPsnr)} from the untiled image");
        // Each written pixel keeps tile_pad of context and seams are feathered: never further from untiled than upstream's hard cuts.
        Assert.True(blendPsnr >= hardPsnr, $"{name}: blended tiles {Db(blendPsnr)}, upstream's tiles {Db(hardPsnr)} from the untiled image");
    }

    [Fact]
    public void OutputSizeTruncatesAsUpstreamDoes()
    {
        using var net = RealEsrganer.FromFile(twin.PathOf("RealESRGAN_x4plus_small.pth"), options: new RealEsrganOptions { OutScale = 3.5 });
        Assert.Equal((157L, 213L), net.OutputSize(45, 61)); // int(45 * 3.5) = 157, int(61 * 3.5) = 213
        using var same = RealEsrganer.FromFile(twin.PathOf("RealESRGAN_x4plus_small.pth"), options: new RealEsrganOptions { OutScale = 4 });
        Assert.Equal((180L, 244L), same.OutputSize(45, 61));
    }

    private Tensor Run(string model, string image, RealEsrganOptions options)
    {
        using var net = RealEsrganer.FromFile(twin.PathOf(model), options: options);
        var path = Path.Combine(folder, $"{image}-{Guid.NewGuid():N}.png");
        net.UpscaleFile(twin.PathOf(image + ".png"), path);
        return ImageSamples.Read(path);
    }

    private static (double Psnr, long MaxDiff, long Differing) Compare(Tensor actual, Tensor expected, double peak)
    {
        using var scope = torch.NewDisposeScope();
        var diff = actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64);
        var mse = diff.square().mean().item<double>();
        return (10 * Math.Log10(peak * peak / mse), (long)diff.abs().max().item<double>(), diff.ne(0).sum().item<long>());
    }

    private static string Db(double psnr) => double.IsPositiveInfinity(psnr) ? "inf dB (identical)" : $"{psnr:F1} dB";
}
