using Workbench.Data;
using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Tests.Inference;

/// <summary>
/// A PNG input is decoded in bands as the tiles need its rows; the same samples decoded whole (from a TIFF, the path
/// every other format takes) give the same output file, byte for byte, whatever the tiles, pads, alpha and depth.
/// </summary>
public sealed class RealEsrganerStreamedInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-realesrgan-bands-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(3, 8, 16, 4, 6, AlphaUpsampler.Model, false)]
    [InlineData(1, 8, 0, 10, 0, AlphaUpsampler.Model, false)]
    [InlineData(4, 16, 16, 3, 2, AlphaUpsampler.Model, false)]
    [InlineData(4, 8, 8, 0, 10, AlphaUpsampler.Resize, false)] // tiles smaller than pre_pad: its reflection reaches rows above the last tile row
    [InlineData(3, 16, 12, 5, 0, AlphaUpsampler.Model, true)]
    public void StreamedPngGivesTheFileOfTheWholeDecode(int channels, int bitDepth, int tile, int tilePad, int prePad, AlphaUpsampler alpha, bool blend)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(channels * 1000 + bitDepth * 10 + tile);
        var (height, width) = (45, 61);
        var samples = bitDepth == 8
            ? torch.randint(0, 256, [height, width, channels]).to(ScalarType.UInt8)
            : torch.randint(0, 65536, [height, width, channels]).to(ScalarType.Int32);
        var png = Path.Combine(folder, "in.png");
        using (var file = File.Create(png))
        using (var writer = new PngStreamWriter(file, width, height, channels, bitDepth))
        {
            writer.WriteRows(samples);
            writer.Finish();
        }
        var tiff = Path.Combine(folder, "in.tiff");
        var chw = samples.permute(2, 0, 1).to(ScalarType.Float32) / (bitDepth == 8 ? 255.0 : 65535.0);
        ImageIO.Write(tiff, chw, bitDepth: bitDepth);
        Assert.True(ImageSamples.Read(tiff).equal(samples), "the TIFF does not hold the PNG's samples");

        var options = new RealEsrganOptions { Tile = tile, TilePad = tilePad, PrePad = prePad, Alpha = alpha, TileBlend = blend };
        using var net = new RealEsrganer(new SrVggNetCompact(num_feat: 8, num_conv: 2, upscale: 4), 4, options, ownsModel: true);
        var (streamed, whole) = (Path.Combine(folder, "streamed.png"), Path.Combine(folder, "whole.png"));
        net.UpscaleFile(png, streamed);
        net.UpscaleFile(tiff, whole);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(streamed));
        Assert.Equal([height * 4, width * 4, channels], ImageSamples.Read(streamed).shape);
    }
}
