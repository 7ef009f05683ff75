using Workbench.Torch;

namespace Workbench.Models;

/// <summary>Input checks that turn libtorch's conv shape errors into messages naming the network and what it expects.</summary>
internal static class ShapeChecks
{
    /// <summary>(N, C, H, W) with C = <paramref name="channels"/>.</summary>
    public static void Image(Tensor x, long channels, string network)
    {
        if (x.dim() != 4)
            throw new ArgumentException($"{network} expects a batch of images (N, {channels}, H, W), got shape [{string.Join(", ", x.shape)}]");
        if (x.size(1) != channels)
            throw new ArgumentException($"{network} expects {channels} channels, got {x.size(1)} (shape [{string.Join(", ", x.shape)}])");
        if (x.size(2) == 0 || x.size(3) == 0)
            throw new ArgumentException($"{network} got an empty image (shape [{string.Join(", ", x.shape)}])");
    }

    /// <summary>Height and width divisible by <paramref name="factor"/>.</summary>
    public static void Divisible(Tensor x, long factor, string network)
    {
        if (x.size(2) % factor != 0 || x.size(3) % factor != 0)
            throw new ArgumentException($"{network} needs height and width divisible by {factor}, got {x.size(2)}x{x.size(3)}");
    }

    /// <summary>Height and width at least <paramref name="minimum"/>.</summary>
    public static void AtLeast(Tensor x, long minimum, string network)
    {
        if (x.size(2) < minimum || x.size(3) < minimum)
            throw new ArgumentException($"{network} needs images of at least {minimum}x{minimum}, got {x.size(2)}x{x.size(3)}");
    }
}
