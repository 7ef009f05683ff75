using System.CommandLine;

using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Evaluation;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench evaluate sr [--model ...] [--data DIR] [--json FILE]</c>: PSNR-Y/SSIM-Y of an SR model vs bicubic on HR photos.</summary>
internal static class EvaluateSrCommand
{
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"SR weights (.safetensors) [default: models/{ShippedModels.EspcnX2}]" };
    private static readonly Option<string?> Arch = new("--arch") { Description = $"Architecture, for weights without metadata: {string.Join(", ", SuperResolutionModels.Architectures)}" };
    private static readonly Option<int?> Scale = new("--scale", "-s") { Description = "Upscaling factor, for weights without metadata" };
    private static readonly Option<string> DataOption = new("--data", "-d") { Description = "Folder of high-resolution photos (each is downscaled, then upscaled back)", DefaultValueFactory = _ => EvaluateCommand.DefaultData };
    private static readonly Option<int> Crop = new("--crop") { Description = "Score the centre crop of this side (HR pixels; 0 = whole photos)", DefaultValueFactory = _ => 256 };

    public static Command Create()
    {
        var command = new Command("sr", "HR photos → antialiased bicubic downscale → the model and bicubic upscale them → PSNR-Y / SSIM-Y (border cropped by the scale), per photo and mean");
        foreach (var option in new Option[] { Model, Arch, Scale, DataOption, Crop, EvaluateCommand.Json }) command.Options.Add(option);
        command.SetGuardedAction((parse, cancel) => Task.Run(() => Run(parse, cancel), CancellationToken.None));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var data = parse.GetValue(DataOption)!;
        if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"'{data}' does not exist (run `workbench data init` for the embedded test photos)");
        var weights = parse.GetValue(Model) ?? ShippedModels.PathOf(ShippedModels.EspcnX2);
        if (!File.Exists(weights)) throw new FileNotFoundException($"weights file '{weights}' does not exist");
        var (model, arch, scale) = SuperResolutionModels.Load(weights, parse.GetValue(Arch), parse.GetValue(Scale));
        using (model)
        {
            cancel.ThrowIfCancellationRequested();
            using var set = SrValidationSet.Load(data, (int)scale, parse.GetValue(Crop));
            var scores = set.Evaluate(model);
            var table = new Display.Table("image", "PSNR-Y dB", "bicubic", "gain", "SSIM-Y", "bicubic");
            for (var i = 0; i < scores.Images.Count; i++)
                table.AddRow(scores.Images[i], F(scores.PsnrY[i]), F(scores.BicubicPsnrY[i]), SrScores.Signed(scores.PsnrY[i] - scores.BicubicPsnrY[i]),
                    EvaluateCommand.F(scores.SsimY[i], "F4"), EvaluateCommand.F(scores.BicubicSsimY[i], "F4"));
            table.AddRow("mean", F(scores.MeanPsnrY), F(scores.MeanBicubicPsnrY), SrScores.Signed(scores.PsnrGain),
                EvaluateCommand.F(scores.MeanSsimY, "F4"), EvaluateCommand.F(scores.MeanBicubicSsimY, "F4"));
            table.Caption = $"x{scale} '{arch}' from {weights} on {set.Count} photo(s) from {data}" +
                            $"{(parse.GetValue(Crop) > 0 ? $" (centre {parse.GetValue(Crop)} px crops)" : "")}; Y channel, {scale} px border cropped";
            ConsoleTable.Write(table, bold: row => row[0] == "mean");
            if (parse.GetValue(EvaluateCommand.Json) is { } json)
            {
                EvaluateCommand.WriteJson(json, scores.ToJson(new Dictionary<string, string> { ["model"] = weights, ["arch"] = arch, ["scale"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture), ["data"] = data }));
                Console.WriteLine($"scores written to {json}");
            }
        }
        return 0;
    }

    private static string F(double v) => EvaluateCommand.F(v, "F2");
}
