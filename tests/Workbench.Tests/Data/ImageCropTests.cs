using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public sealed class ImageCropTests
{
    /// <summary>A 2x5x7 image whose pixel (y, x) holds 10 y + x in channel 0 (and its negative in channel 1).</summary>
    private static Tensor Numbered()
    {
        var plane = torch.arange(0, 5).reshape(5, 1).mul(10).add(torch.arange(0, 7).reshape(1, 7)).to(ScalarType.Float32);
        return torch.stack([plane, plane.neg()]);
    }

    [Fact]
    public void Crop_TakesTheBox_AsAView()
    {
        using var scope = torch.NewDisposeScope();
        var image = Numbered();
        var crop = ImageCrop.Crop(image, top: 1, left: 2, height: 2, width: 3);
        Assert.Equal(new float[] { 12, 13, 14, 22, 23, 24 }, crop.select(0, 0).contiguous().data<float>());
        Assert.True(crop.shares_storage_with(image));
    }

    [Fact]
    public void Crop_OutsideTheImage_Throws()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCrop.Crop(Numbered(), 4, 0, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCrop.Crop(Numbered(), 0, -1, 2, 2));
        Assert.Throws<ArgumentException>(() => ImageCrop.RandomCrop(Numbered(), 6, 6, new Random(0)));
    }

    [Theory]
    [InlineData(3, 3, 12)] // offsets (1, 2)
    [InlineData(2, 2, 22)] // (1.5 -> 2, 2.5 -> 2): half to even, as torchvision's round()
    [InlineData(4, 6, 0)]  // (0.5 -> 0, 0.5 -> 0)
    public void CenterCrop_RoundsOffsetsAsTorchvision(int height, int width, float topLeftValue)
    {
        using var scope = torch.NewDisposeScope();
        var crop = ImageCrop.CenterCrop(Numbered(), height, width);
        Assert.Equal(new long[] { 2, height, width }, crop.shape);
        Assert.Equal(topLeftValue, crop[0, 0, 0].item<float>());
    }

    [Fact]
    public void RandomCrop_IsSeeded_CoversEveryPlacement_AndWorksOnBatches()
    {
        using var scope = torch.NewDisposeScope();
        var boxes = Enumerable.Range(0, 400).Select(i => ImageCrop.RandomCropBox(5, 7, 3, 3, new Random(i))).ToList();
        Assert.Equal(3 * 5, boxes.Distinct().Count()); // tops 0..2, lefts 0..4
        Assert.Equal(ImageCrop.RandomCropBox(5, 7, 3, 3, new Random(42)), ImageCrop.RandomCropBox(5, 7, 3, 3, new Random(42)));
        var batch = torch.stack([Numbered(), Numbered()]);
        var crop = ImageCrop.RandomCrop(batch, 3, new Random(1));
        Assert.Equal(new long[] { 2, 2, 3, 3 }, crop.shape);
        Assert.True(crop[0].equal(crop[1]));
    }

    [Fact]
    public void CropBoxScale_GivesTheAlignedHighResolutionBox()
    {
        using var scope = torch.NewDisposeScope();
        var high = torch.rand(3, 20, 28);
        var low = ImageResize.Downscale2x(high);
        var box = ImageCrop.RandomCropBox(10, 14, 4, 4, new Random(5));
        var expected = ImageResize.Downscale2x(ImageCrop.Crop(high, box.Scale(2)));
        Assert.True(ImageCrop.Crop(low, box).sub(expected).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void GridCrops_AreAllNonOverlappingTiles_RowByRow()
    {
        using var scope = torch.NewDisposeScope();
        var tiles = ImageCrop.GridCrops(Numbered(), 2);
        Assert.Equal(2 * 3, tiles.Length); // 5x7 holds 2 rows of 3 tiles; the last row and column are left out
        Assert.Equal(new float[] { 0, 2, 4, 20, 22, 24 }, tiles.Select(t => t[0, 0, 0].item<float>()).ToArray());
        Assert.All(tiles, t => Assert.Equal(new long[] { 2, 2, 2 }, t.shape));
        Assert.Empty(ImageCrop.GridCropBoxes(5, 7, 8));
    }
}
