using System.CommandLine;

using Workbench.Export;
using Workbench.Inference;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench export onnx --model weights.safetensors --out model.onnx</c>: a generator that runs outside Workbench.</summary>
internal static class ExportCommand
{
    private static readonly Option<string> Model = new("--model", "-m") { Description = "Generator weights (.safetensors written by `workbench train`)", Required = true };
    private static readonly Option<string> Out = new("--out", "-o") { Description = "ONNX file to write", Required = true };
    private static readonly Option<int> Size = new("--size") { Description = "Height and width of the trace input (any multiple of 32 works at run time)", DefaultValueFactory = _ => 256 };

    public static Command Create()
    {
        var onnx = new Command("onnx", "Write the generator as ONNX (opset 17): input (N, 3, H, W) gray-as-RGB in [0, 1], output RGB (N, 3, H, W)");
        foreach (var option in new Option[] { Model, Out, Size }) onnx.Options.Add(option);
        onnx.SetGuardedAction(parse =>
        {
            var (model, info) = ModelFile.Load(parse.GetValue(Model)!);
            using var _ = model;
            var size = parse.GetValue(Size);
            var result = OnnxExporter.Export(model, parse.GetValue(Out)!, new long[] { 1, 3, size, size },
                ModelFile.Metadata(info));
            Console.WriteLine($"{result.Path}: {result.Nodes} nodes, {result.Bytes / 1e6:F1} MB (traced at {size}x{size})");
            return 0;
        });
        var command = new Command("export", "Export trained models to other formats");
        command.Subcommands.Add(onnx);
        command.Subcommands.Add(ExportWebCommand.Create());
        return command;
    }
}
