using Workbench.Visualization;
using Workbench.Torch;

namespace Workbench.Tests.Visualization;

public sealed class BatchGridTests
{
    [Fact]
    public void TilesRowMajorWithPadding()
    {
        using var scope = torch.NewDisposeScope();
        // Image i is filled with i + 1, so every tile is recognisable.
        var batch = torch.arange(1, 6, dtype: ScalarType.Float32).reshape(5, 1, 1, 1).expand(5, 3, 2, 3).contiguous();
        var grid = BatchGrid.Make(batch, nrow: 3, padding: 1, padValue: -1);
        Assert.Equal(new long[] { 3, 2 * 3 + 1, 3 * 4 + 1 }, grid.shape);
        for (var i = 0; i < 5; i++)
        {
            var (top, left) = (i / 3 * 3 + 1, i % 3 * 4 + 1);
            Assert.True(grid.narrow(1, top, 2).narrow(2, left, 3).eq(i + 1).all().item<bool>(), $"tile {i}");
        }
        Assert.True(grid.select(1, 0).eq(-1).all().item<bool>());  // top padding
        Assert.True(grid.narrow(1, 4, 2).narrow(2, 9, 3).eq(-1).all().item<bool>());  // the empty sixth cell
    }

    [Fact]
    public void GrayBatchesBecomeRgbAndFewImagesNarrowTheGrid()
    {
        using var scope = torch.NewDisposeScope();
        var grid = BatchGrid.Make(torch.ones(2, 1, 4, 4), nrow: 8, padding: 2);
        Assert.Equal(new long[] { 3, 8, 14 }, grid.shape);
    }

    [Fact]
    public void RejectsBadShapes()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => BatchGrid.Make(torch.ones(4, 4)));
        Assert.Throws<ArgumentException>(() => BatchGrid.Make(torch.ones(1, 3, 4, 4), nrow: 0));
    }
}
