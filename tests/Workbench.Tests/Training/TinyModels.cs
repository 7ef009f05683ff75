using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Training;

/// <summary>Small models and data for training-engine tests (CPU, milliseconds per step).</summary>
internal static class TinyModels
{
    /// <summary>A 2x "super-resolution" net with dropout, so resume must restore the RNG exactly.</summary>
    public sealed class Upscaler : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Sequential body;

        public Upscaler()
        {
            body = register_module("body", new nn.Sequential(
                new nn.Conv2d(3, 8, 3, padding: 1),
                new nn.LeakyReLU(0.1),
                new nn.Dropout(0.1),
                new nn.Conv2d(8, 12, 3, padding: 1),
                new nn.PixelShuffle(2)));
        }

        public override Tensor forward(Tensor input) => body.call(input);
    }

    /// <summary>A patch critic: (N,3,H,W) → (N,1,H/4,W/4) logits.</summary>
    public sealed class Critic : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Sequential body;

        public Critic()
        {
            body = register_module("body", new nn.Sequential(
                new nn.Conv2d(3, 8, 3, stride: 2, padding: 1),
                new nn.LeakyReLU(0.1),
                new nn.Conv2d(8, 1, 3, stride: 2, padding: 1)));
        }

        public override Tensor forward(Tensor input) => body.call(input);
    }

    /// <summary>Pairs (half-size input, full-size target) from seeded random images.</summary>
    public static IDataset<ImagePair> Pairs(int count, int size) =>
        Dataset.FromList(Enumerable.Range(0, count).ToList()).Select((i, random) =>
        {
            var pixels = new float[3 * size * size];
            var phase = random.NextDouble();
            for (var k = 0; k < pixels.Length; k++) pixels[k] = (float)(0.5 + 0.4 * Math.Sin(k * 0.05 + phase * 6 + i));
            var target = torch.tensor(pixels, new long[] { 3, size, size });
            var input = target.reshape(1, 3, size, size);
            using var half = Torch.nn.functional.avg_pool2d(input, 2);
            return new ImagePair(half.reshape(3, size / 2, size / 2), target);
        });

    public static DataLoader<ImagePair, ImageBatch> Loader(int count, int size, int batch, int workers = 2) =>
        DataLoader.Create(Pairs(count, size), batch, new DataLoaderOptions { Shuffle = true, Seed = 11, NumWorkers = workers });
}
