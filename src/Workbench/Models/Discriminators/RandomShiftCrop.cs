using Workbench.Torch;

namespace Workbench.Models.Discriminators;

/// <summary>
/// The SR notes' guard against a generator overfitting its critic: before the critic sees a (fake, real) pair,
/// both are cropped by <c>max_shift</c> pixels at the same random offset (0 … max_shift−1 in each direction).
/// A critic that downsamples by 8 cannot align a fixed pattern to its grid when the grid moves by 0–7 px;
/// a shift of 8 would be no shift at all. Offsets come from torch's global generator, so
/// <c>torch.manual_seed</c> and checkpointed RNG state make runs repeatable.
/// <para>Pass <see cref="Apply"/> as <c>GanStep</c>'s <c>criticView</c>.</para>
/// </summary>
public sealed class RandomShiftCrop
{
    /// <param name="max_shift">Pixels removed from height and width; offsets are 0 … max_shift−1 (the notes: 8, the critic's stride).</param>
    public RandomShiftCrop(int max_shift = 8)
    {
        if (max_shift < 1) throw new ArgumentOutOfRangeException(nameof(max_shift), max_shift, "max_shift must be at least 1");
        this.max_shift = max_shift;
    }

    public int max_shift { get; }

    /// <summary>Crops both (N, C, H, W) tensors to (H − max_shift, W − max_shift) at one random offset.</summary>
    public (Tensor Fake, Tensor Real) Apply(Tensor fake, Tensor real)
    {
        if (fake.dim() != 4 || real.dim() != 4) throw new ArgumentException($"expected (N, C, H, W) images, got [{string.Join(", ", fake.shape)}] and [{string.Join(", ", real.shape)}]");
        if (fake.size(2) != real.size(2) || fake.size(3) != real.size(3))
            throw new ArgumentException($"fake and real images differ in size: {fake.size(2)}x{fake.size(3)} vs {real.size(2)}x{real.size(3)}");
        var (h, w) = (fake.size(2) - max_shift, fake.size(3) - max_shift);
        if (h < 1 || w < 1) throw new ArgumentException($"images of {fake.size(2)}x{fake.size(3)} are too small for a {max_shift} px shift crop");
        long dy, dx;
        using (var offsets = torch.randint(0, max_shift, [2]))
        {
            var o = offsets.data<long>();
            (dy, dx) = (o[0], o[1]);
        }
        return (Crop(fake, dy, dx, h, w), Crop(real, dy, dx, h, w));
    }

    private static Tensor Crop(Tensor x, long dy, long dx, long h, long w)
    {
        using var rows = x.narrow(2, dy, h);
        return rows.narrow(3, dx, w);
    }

    public override string ToString() => $"RandomShiftCrop(max_shift={max_shift})";
}
