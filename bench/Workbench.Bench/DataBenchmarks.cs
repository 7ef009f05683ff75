using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Bench;

/// <summary>
/// Issue #4's data-pipeline benchmark: ImagesDataset + DataLoader decoding JPEGs, random 128 crop + horizontal flip,
/// batches of 16 (N, 3, 128, 128) float32 in [0, 1], one worker per core. One step is one whole epoch, so each
/// step pays the epoch's start (filling the pipeline) as a training loop does. The twin in bench/pytorch_data_bench.py
/// reads the same files with a torch DataLoader over PIL.
/// </summary>
internal sealed class DataLoaderJpegBenchmark : Benchmark
{
    private const int Crop = 128;
    private const int Batch = 16;

    /// <summary>Made by bench/bench_jpegs.py (bench/run_all.py runs it first), so both sides decode the same files.</summary>
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "workbench-bench-jpegs-v1");

    private readonly DataLoader<Tensor, Tensor> loader;
    private readonly int count;

    public DataLoaderJpegBenchmark()
    {
        if (!Directory.Exists(Folder))
            throw new DirectoryNotFoundException($"'{Folder}' is missing; create it with /usr/bin/python3 bench/bench_jpegs.py");
        var files = ImagesDataset.FromDirsRecursive([Folder]);
        count = files.Count;
        var crops = files.Select((path, random) =>
        {
            using var scope = torch.NewDisposeScope();
            var crop = ImageCrop.RandomCrop(ImageIO.Read(path), Crop, random);
            if (random.NextDouble() < 0.5) crop = crop.flip(-1);
            return crop.contiguous().MoveToOuterDisposeScope();
        });
        loader = DataLoader.Create(crops, Batch, new DataLoaderOptions { Shuffle = true, NumWorkers = Environment.ProcessorCount });
    }

    public override string Name => "data_loader_jpeg";
    public override string Description => $"one epoch: {count} JPEGs 640x480 decode + random {Crop} crop + flip, batches of {Batch}, {Environment.ProcessorCount} workers";
    public override int? ItemsPerStep => count;

    public override void Step()
    {
        foreach (var batch in loader)
        {
            using (batch)
                if (batch.size(0) != Batch || batch.size(2) != Crop) throw new InvalidOperationException($"unexpected batch shape [{string.Join(", ", batch.shape)}]");
        }
    }
}
