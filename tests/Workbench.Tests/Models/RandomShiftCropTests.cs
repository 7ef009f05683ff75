using Workbench.Models.Discriminators;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class RandomShiftCropTests
{
    [Fact]
    public void CropsBothImagesAtTheSameOffsetWithinTheShift()
    {
        using var scope = torch.NewDisposeScope();
        var crop = new RandomShiftCrop(8);
        // Each pixel holds its own row·100 + column, so a crop tells where it was taken.
        var grid = (torch.arange(40).reshape(40, 1) * 100 + torch.arange(36).reshape(1, 36)).to(ScalarType.Float32).reshape(1, 1, 40, 36);
        var seen = new HashSet<(long, long)>();
        for (var i = 0; i < 200; i++)
        {
            var (fake, real) = crop.Apply(grid, grid * 2);
            Assert.Equal([1, 1, 32, 28], fake.shape);
            var corner = (long)fake[0, 0, 0, 0].item<float>();
            var (dy, dx) = (corner / 100, corner % 100);
            Assert.InRange(dy, 0, 7);
            Assert.InRange(dx, 0, 7);
            Assert.Equal(2 * corner, (long)real[0, 0, 0, 0].item<float>());
            seen.Add((dy, dx));
        }
        Assert.True(seen.Count > 40, $"only {seen.Count} of 64 offsets in 200 draws");
    }

    [Fact]
    public void RejectsMismatchedOrTooSmallPairs()
    {
        using var scope = torch.NewDisposeScope();
        var crop = new RandomShiftCrop(8);
        Assert.Throws<ArgumentException>(() => crop.Apply(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 17)));
        Assert.Throws<ArgumentException>(() => crop.Apply(torch.rand(1, 3, 8, 16), torch.rand(1, 3, 8, 16)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomShiftCrop(0));
    }
}
