using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Hasler &amp; Süsstrunk (2003) colorfulness of RGB images in [0, 1], per image, on the paper's 0–255
/// scale: with rg = R − G and yb = (R + G)/2 − B, M = sqrt(σ_rg² + σ_yb²) + 0.3·sqrt(μ_rg² + μ_yb²)
/// (population standard deviations). The paper's reading: 0 not colorful, ~15 slightly, ~33
/// moderately, ~45 averagely, ~59 quite, ~82 highly, ≥109 extremely colorful. A colorizer that
/// plays safe with brownish output scores low. It lives in Data, below Metrics, because choosing training photos
/// (<see cref="PhotoChecks"/>) needs it as much as evaluation does.
/// </summary>
public static class Colorfulness
{
    public static Tensor Compute(Tensor rgb)
    {
        if (rgb.dim() is not (3 or 4) || rgb.size(-3) != 3 || !rgb.is_floating_point())
            throw new ArgumentException($"expected a floating-point (N,) 3, H, W image, got {rgb.dtype} [{string.Join(", ", rgb.shape)}]", nameof(rgb));
        using var scope = torch.NewDisposeScope();
        var c = (rgb * 255.0).unbind(-3);
        var (r, g, b) = (c[0], c[1], c[2]);
        var rg = r - g;
        var yb = (r + g) * 0.5 - b;
        long[] hw = { -2, -1 };
        var spread = (rg.var(hw, unbiased: false) + yb.var(hw, unbiased: false)).sqrt();
        var mean = (rg.mean(hw).square() + yb.mean(hw).square()).sqrt();
        return (spread + mean * 0.3).MoveToOuterDisposeScope();
    }
}
