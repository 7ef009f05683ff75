using System.CommandLine;

using Workbench.Recipes;

namespace Workbench.Cli.Commands;

/// <summary>`workbench quickstart`: embedded data → ESPCN x2 + a small colorizer → test_images/ → runs/quickstart/report.html.</summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var smoke = new Option<bool>("--smoke") { Description = "Tiny budgets (checks the pipeline in seconds; the models will be poor)" };
        var command = new Command("quickstart", "Train an ESPCN x2 and a small colorizer on the embedded photos (~10 min on 2 cores) and write a report") { smoke };
        command.SetGuardedAction((parse, cancel) =>
        {
            var options = parse.GetValue(smoke) ? QuickstartOptions.Smoke(".") with { DataRoot = "data", RunsRoot = "runs" } : new QuickstartOptions();
            var sinks = new List<SpectreProgressSink>();
            try
            {
                var result = Quickstart.Run(options, title => { var s = new SpectreProgressSink(); sinks.Add(s); return s; }, Console.Out, cancel);
                Console.WriteLine();
                Console.WriteLine($"Done in {result.Elapsed:mm\\:ss}.");
                Console.WriteLine($"  report        {Path.GetFullPath(result.ReportPath)}");
                Console.WriteLine($"  ESPCN x2      {Path.GetFullPath(result.SuperResolution.WeightsPath!)}  (PSNR-Y {result.SuperResolution.ModelPsnrY:F2} dB vs bicubic {result.SuperResolution.BicubicPsnrY:F2} dB)");
                var chroma = result.ColorizationScores;
                Console.WriteLine($"  colorizer     {Path.GetFullPath(result.ColorizerWeights)}  (shipped; Lab chroma error {chroma.Mean(QuickstartResult.ShippedMethod).ChromaError:F2} " +
                                  $"vs gray input {chroma.Mean("input").ChromaError:F2} and sepia {chroma.Mean("sepia").ChromaError:F2}; lower is better)");
                Console.WriteLine($"  NoGAN U-Net   {Path.GetFullPath(result.Colorization.WeightsPath)}  (this run, minutes: Lab chroma error {chroma.Mean(QuickstartResult.PretrainedMethod).ChromaError:F2} " +
                                  $"before the GAN, {chroma.Mean(QuickstartResult.GanMethod).ChromaError:F2} after)");
                Console.WriteLine($"  upscaled      {Path.GetFullPath(Path.Combine(result.OutputDirectory, "upscaled"))}");
                Console.WriteLine($"  colorized     {Path.GetFullPath(Path.Combine(result.OutputDirectory, "colorized"))}");
                Console.WriteLine($"  TensorBoard   tensorboard --logdir {Path.GetFullPath(options.RunsRoot)}");
                Console.WriteLine("  notebooks     ./run.sh notebook");
                return Task.FromResult(0);
            }
            finally
            {
                foreach (var s in sinks) s.Dispose();
            }
        });
        return command;
    }
}
