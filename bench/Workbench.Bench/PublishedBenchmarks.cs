using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Bench;

/// <summary>
/// Inference of published networks (DeOldify, Zhang et al., Real-ESRGAN) loaded through the registry from files in
/// upstream's layouts: the ones bench/published_bench_weights.py writes (bench/run_all.py runs it first), which the
/// twins in bench/pytorch_published_bench.py load too. Eval mode, no_grad, float32, one image per step.
/// </summary>
internal static class PublishedBenchmarks
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "workbench-bench-published-v1");

    public static Benchmark DeOldifyStableRf35() => new InferenceBenchmark("deoldify_stable_rf35",
        "DeOldify stable generator (ResNet-101, wide, nf_factor 2) inference at render_factor 35, one 3x560x560 image; GFLOP/s: fwd conv FLOPs",
        Colorizer("deoldify-stable.pth"), Gray560());

    public static Benchmark DeOldifyArtisticRf35() => new InferenceBenchmark("deoldify_artistic_rf35",
        "DeOldify artistic generator (ResNet-34, deep, nf_factor 1.5) inference at render_factor 35, one 3x560x560 image; GFLOP/s: fwd conv FLOPs",
        Colorizer("deoldify-artistic.pth"), Gray560());

    public static Benchmark ZhangEccv16At256() => new InferenceBenchmark("zhang_eccv16_256",
        "Zhang eccv16 (as released) inference, one 1x256x256 L; GFLOP/s: fwd conv FLOPs",
        Colorizer("zhang-eccv16.pth"), torch.rand(1, 1, 256, 256) * 100);

    public static Benchmark RrdbNetX4At256() => new InferenceBenchmark("rrdbnet_x4_23b_256",
        "RRDBNet x4 (64 feat, 23 blocks, growth 32; RealESRGAN_x4plus) inference, one 3x256x256 tile; GFLOP/s: fwd conv FLOPs",
        Upscaler("rrdbnet-x4-23b.pth"), torch.rand(1, 3, 256, 256));

    public static Benchmark SrVggCompactX4At512() => new InferenceBenchmark("srvgg_compact_x4_512",
        "SRVGGNetCompact x4 (64 feat, 32 convs, PReLU; realesr-general-x4v3) inference, one 3x512x512 image; GFLOP/s: fwd conv FLOPs",
        Upscaler("srvgg-compact-x4.pth"), torch.rand(1, 3, 512, 512));

    /// <summary>A render_factor 35 input: 35·16 = 560 square, gray as DeOldify feeds it (L tiled to RGB), in [0, 1].</summary>
    private static Tensor Gray560() => torch.rand(1, 1, 560, 560).expand(1, 3, 560, 560).contiguous();

    /// <summary>The network as `workbench colorize` runs it (DeOldify's spectral norms folded, as <see cref="Inference.Colorizer.Load"/> does).</summary>
    private static nn.Module<Tensor, Tensor> Colorizer(string file) => Inference.Colorizer.Load(PathOf(file)).Model;

    private static nn.Module<Tensor, Tensor> Upscaler(string file) => SuperResolutionModels.Load(PathOf(file)).Model;

    private static string PathOf(string file)
    {
        var path = Path.Combine(Folder, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"'{path}' is missing; create it with /usr/bin/python3 bench/published_bench_weights.py", path);
    }
}
