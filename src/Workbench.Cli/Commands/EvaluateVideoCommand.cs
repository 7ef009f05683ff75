using System.CommandLine;
using System.Globalization;

using Workbench.Inference;
using Workbench.Video;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench evaluate video IN.mp4 [--model M] [--strength 0.5,0.8] [--csv FILE]</c>: the colour video turned gray,
/// colorized per frame and stabilised, scored on flicker and chroma error per frame and on average.
/// </summary>
internal static class EvaluateVideoCommand
{
    private static readonly Argument<string> Input = new("input") { Description = "A colour video; it is turned gray here, colorized, and compared with itself" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"Colorizer weights, any the colorize command takes [default: models/{ShippedModels.Colorizer}]" };
    private static readonly Option<int> RenderSize = new("--render-size", "-r") { Description = "Render size of the model", DefaultValueFactory = _ => 256 };
    private static readonly Option<string> Strengths = new("--strength") { Description = $"Stabilisation strength(s) to score, comma-separated (the model runs once per frame for all) [default: {TemporalStabilizer.DefaultStrength}]", DefaultValueFactory = _ => TemporalStabilizer.DefaultStrength.ToString(CultureInfo.InvariantCulture) };
    private static readonly Option<string?> Csv = new("--csv") { Description = "Also write per-frame scores to this CSV file" };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };

    public static Command Create()
    {
        var command = new Command("video", "Colour video → gray → colorized per frame and stabilised → flicker (warping error of a*b* along the original's flow, Lai et al. 2018) and chroma error (a*b* distance to the original), per frame and mean");
        command.Arguments.Add(Input);
        foreach (var option in new Option[] { Model, RenderSize, Strengths, Csv, DeviceOption, VideoCommand.Start, VideoCommand.Duration, VideoCommand.Flow }) command.Options.Add(option);
        command.SetGuardedAction((parse, cancel) => Task.Run(() => Run(parse, cancel), CancellationToken.None));
        return command;
    }

    internal static double[] ParseStrengths(string text)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1 ? v : double.NaN).ToArray();
        if (values.Length == 0 || values.Any(double.IsNaN)) throw new UsageException($"--strength takes numbers in (0, 1], comma-separated (e.g. 0.8 or 0.5,0.8,0.95), got '{text}'");
        return values;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var input = parse.GetValue(Input)!;
        if (!File.Exists(input)) throw new FileNotFoundException($"video '{input}' does not exist");
        var strengths = ParseStrengths(parse.GetValue(Strengths)!);
        var range = VideoCommand.Range(parse);
        var flow = VideoCommand.ParseFlow(parse);
        var weights = parse.GetValue(Model) ?? ShippedModels.PathOf(ShippedModels.Colorizer);
        var options = new ColorizerOptions { RenderSize = parse.GetValue(RenderSize), Device = ColorizeCommand.ParseDevice(parse.GetValue(DeviceOption)!) };
        using var colorizer = Colorizer.Load(weights, options);
        VideoEvaluationResult result;
        using (var bar = new VideoProgressBar($"evaluate {Path.GetFileName(input)}"))
            result = VideoEvaluation.Run(colorizer, input, strengths, range, flow, bar.Report, cancel: cancel);
        if (parse.GetValue(Csv) is { } csv)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(csv)) is { } folder) Directory.CreateDirectory(folder);
            File.WriteAllText(csv, result.ToCsv());
        }
        Print(result, weights, parse.GetValue(Csv));
        return 0;
    }

    private static void Print(VideoEvaluationResult r, string weights, string? csv)
    {
        var (fpsPerFrame, fpsStable) = r.Fps;
        var info = r.Info;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Input}: frames {r.FirstFrame}–{r.FirstFrame + r.Frames.Count - 1} of {(info.FrameCount > 0 ? info.FrameCount.ToString(CultureInfo.InvariantCulture) : "?")}, {info.Width}x{info.Height} at {info.Fps:0.###} fps; " +
            $"model {weights}; {Math.Max(0, r.Cuts.Count - 1)} scene cut(s){(r.Cuts.Count > 1 ? $" (at {string.Join(", ", r.Cuts.Skip(1))})" : "")}"));
        ConsoleTable.Write(r.ToTable());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speed: {fpsPerFrame:F2} frames/s per-frame, {fpsStable:F2} frames/s stabilised (decode + colorize, + flow and propagation)"));
        if (csv is not null) Console.WriteLine($"per-frame scores: {csv}");
    }
}
