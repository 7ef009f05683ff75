using Workbench.Torch;

namespace Workbench.Visualization;

/// <summary>Tiles a batch of images into one picture, as torchvision.utils.make_grid (TensorBoard image summaries, notebooks).</summary>
public static class BatchGrid
{
    /// <summary>
    /// (N, C, H, W) → (C, rows·(H+padding)+padding, cols·(W+padding)+padding) with
    /// cols = min(<paramref name="nrow"/>, N) images per row; gaps are <paramref name="padValue"/>.
    /// Single-channel batches become 3-channel, as torchvision does.
    /// </summary>
    public static Tensor Make(Tensor images, int nrow = 8, int padding = 2, double padValue = 0)
    {
        if (images.dim() is not (3 or 4)) throw new ArgumentException($"make_grid needs (N, C, H, W) images, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        if (nrow < 1 || padding < 0) throw new ArgumentException($"nrow must be >= 1 and padding >= 0 (got {nrow}, {padding})");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        if (images.dim() == 3) images = images.unsqueeze(0);
        if (images.size(1) == 1) images = images.expand(-1, 3, -1, -1);
        var (n, c, h, w) = (images.size(0), images.size(1), images.size(2), images.size(3));
        var cols = Math.Min(nrow, n);
        var rows = (n + cols - 1) / cols;
        var grid = torch.full(new[] { c, rows * (h + padding) + padding, cols * (w + padding) + padding }, padValue, images.dtype, images.device);
        for (var i = 0; i < n; i++)
        {
            var (row, col) = (i / cols, i % cols);
            grid.narrow(1, row * (h + padding) + padding, h).narrow(2, col * (w + padding) + padding, w).copy_(images[i]);
        }
        return grid.MoveToOuterDisposeScope();
    }
}
