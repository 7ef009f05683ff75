using System.Diagnostics;
using System.Text.Json;

using Workbench.Export;
using Workbench.Export.Onnx;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Export;

public sealed class OnnxExporterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-onnx-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Runs the file with onnxruntime-node (installed into tools/npm by ./run.sh setup) and returns its output.</summary>
    private Tensor RunOnnxRuntime(string model, Tensor input)
    {
        var runtime = Path.Combine(PythonReference.RepoRoot, "tools", "npm", "node_modules", "onnxruntime-node");
        Assert.True(Directory.Exists(runtime), $"onnxruntime-node is not installed in tools/npm: run ./run.sh setup (npm install --ignore-scripts in tools/npm)");
        var inPath = Path.Combine(dir, "in.f32");
        var outPath = Path.Combine(dir, "out.f32");
        File.WriteAllBytes(inPath, input.contiguous().data<float>().SelectMany(BitConverter.GetBytes).ToArray());
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(PythonReference.RepoRoot, "tests", "reference", "onnxruntime_check.js"), model, inPath, string.Join(",", input.shape), outPath })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"onnxruntime failed: {stderr}");
        var dims = JsonDocument.Parse(stdout.Result).RootElement.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(outPath);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return torch.tensor(values, dims);
    }

    private static void Randomize(nn.Module model)
    {
        // Non-trivial running statistics and attention, as after training.
        using var noGrad = torch.no_grad();
        foreach (var m in model.modules())
        {
            if (m is nn.BatchNorm2d bn)
            {
                bn.running_mean!.copy_(torch.randn(bn.running_mean.shape) * 0.1);
                bn.get_buffer("running_var").copy_(torch.rand(bn.running_mean.shape) + 0.5);
            }
            if (m is nn.SelfAttention sa) sa.gamma.fill_(0.5);
        }
    }

    [Theory]
    [InlineData("wide", 64, 96)]
    [InlineData("deep", 40, 56)]
    public void UnetRunsInOnnxRuntimeLikeInWorkbench(string blocks, int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var unet = new DynamicUnet(new ResNet("basic", new long[] { 1, 1, 1, 1 }, num_classes: 0, base_width: 8), blocks: blocks, nf_factor: blocks == "wide" ? 0.125 : 1.0);
        Randomize(unet);
        var path = Path.Combine(dir, "unet.onnx");
        var result = OnnxExporter.Export(unet, path, new long[] { 1, 3, 64, 64 });
        var x = torch.rand(2, 3, h, w); // another batch and size than the trace: the dims are symbolic
        Tensor expected;
        using (torch.no_grad()) expected = unet.eval().call(x);
        var actual = RunOnnxRuntime(path, x);
        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, 1e-4);

        // The file parses back as an ONNX model with the ops the doc names.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(17, model.OpsetImport.Single().Version);
        var ops = model.Graph.Node.Select(n => n.OpType).ToHashSet();
        foreach (var op in new[] { "Conv", "BatchNormalization", "Relu", "Concat", "DepthToSpace", "Sigmoid", "MatMul", "Softmax", "AveragePool", "Resize" })
            Assert.Contains(op, ops);
        Assert.Equal(result.Nodes, model.Graph.Node.Count);
    }

    [Fact]
    public void CriticAndResNetExportToo()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var critic = new ColorCritic(nf: 8);
        Randomize(critic);
        // Converge spectral norm's power iteration (training-mode forwards), as training would have.
        using (torch.no_grad())
            for (var i = 0; i < 20; i++) critic.train().call(torch.rand(1, 3, 64, 64));
        var path = Path.Combine(dir, "critic.onnx");
        OnnxExporter.Export(critic, path, new long[] { 1, 3, 64, 64 });
        var x = torch.rand(1, 3, 80, 80);
        Tensor expected;
        using (torch.no_grad()) expected = critic.eval().call(x);
        var fromCritic = RunOnnxRuntime(path, x);
        Assert.Equal(expected.shape, fromCritic.shape);
        Assert.InRange(((fromCritic - expected).abs().max() / expected.abs().max().clamp(min: 1)).item<float>(), 0, 1e-4);

        using var resnet = new ResNet("basic", new long[] { 1, 1, 1, 1 }, num_classes: 5, base_width: 8);
        Randomize(resnet);
        OnnxExporter.Export(resnet, path, new long[] { 1, 3, 64, 64 });
        using (torch.no_grad()) expected = resnet.eval().call(x);
        var fromResNet = RunOnnxRuntime(path, x);
        Assert.Equal(expected.shape, fromResNet.shape);
        Assert.InRange((fromResNet - expected).abs().max().item<float>(), 0, 1e-4);

        using var hyper = new HypercolumnSpec().Build();
        Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(hyper, path, new long[] { 1, 3, 32, 32 }));
    }
    [Fact]
    public void ZhangEnsembleWithItsDecodingRunsInOnnxRuntimeLikeInWorkbench()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        // Two members, prior correction, pooling and a chroma scale: every step of the decoding the shipped colorizer uses.
        using var colorizer = new ZhangSpec(Width: 4, BinStep: 20, Temperature: 0.7, ChromaScale: 1.7, Smoothing: 1.5, PriorCorrection: 1, Members: 2).Build();
        Randomize(colorizer);
        using (torch.no_grad()) colorizer.ClassLogWeight.copy_(torch.randn(colorizer.Bins.Count) * 0.5);
        var path = Path.Combine(dir, "zhang.onnx");
        OnnxExporter.Export(colorizer, path, new long[] { 1, 3, 64, 64 });
        var gray = torch.rand(1, 1, 64, 96);
        var x = gray.expand(1, 3, -1, -1).contiguous(); // gray as RGB, as Colorizer feeds it
        Tensor expected;
        using (torch.no_grad()) expected = colorizer.eval().call(x);
        var actual = RunOnnxRuntime(path, x);
        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, 2e-3);
        Assert.True(expected.std().item<float>() > 0.01f, "the random colorizer should colour something");
    }

    [Fact]
    public void EspcnRunsInOnnxRuntimeLikeInWorkbench()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(10);
        using var espcn = new Workbench.Models.SuperResolution.Espcn(scale: 2, channels: 64);
        var path = Path.Combine(dir, "espcn.onnx");
        OnnxExporter.Export(espcn, path, new long[] { 1, 3, 32, 32 });
        var x = torch.rand(1, 3, 37, 51);
        Tensor expected;
        using (torch.no_grad()) expected = espcn.eval().call(x);
        var actual = RunOnnxRuntime(path, x);
        Assert.Equal(new long[] { 1, 3, 74, 102 }, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, 1e-4);

        // float16 weights: half the file, float32 arithmetic on the rounded weights.
        var half = Path.Combine(dir, "espcn-fp16.onnx");
        var halfResult = OnnxExporter.Export(espcn, half, new long[] { 1, 3, 32, 32 }, float16Weights: true);
        Assert.InRange(halfResult.Bytes, new FileInfo(path).Length * 0.45, new FileInfo(path).Length * 0.6);
        var fromHalf = RunOnnxRuntime(half, x);
        var error = (fromHalf - expected).abs().max().item<float>();
        Assert.InRange(error, 1e-7, 1e-2); // not exact (the weights were rounded), but close
    }
}
