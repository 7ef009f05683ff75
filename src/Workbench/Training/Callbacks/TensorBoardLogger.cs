using Workbench.Logging;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Training.Callbacks;

/// <summary>
/// The seeds' TensorBoard routine: losses and learning rates every <see cref="ScalarEvery"/> steps,
/// sample images (input | output | target per row) every <see cref="ImageEvery"/>, weight histograms
/// every <see cref="WeightsEvery"/>, and the resolved config as text.
/// </summary>
public sealed class TensorBoardLogger(SummaryWriter writer, int scalarEvery = 1, int imageEvery = 200, int weightsEvery = 1000, int maxSamples = 4) : Callback
{
    public int ScalarEvery { get; } = scalarEvery;
    public int ImageEvery { get; } = imageEvery;
    public int WeightsEvery { get; } = weightsEvery;

    public override int Order => Orders.Log;

    public SummaryWriter Writer => writer;

    public override void BeforeFit(TrainingState state)
    {
        if (state.Notes.TryGetValue("config", out var config)) writer.AddText("config", "```\n" + config + "\n```", state.GlobalStep);
        writer.AddText("schedule", "```\n" + state.Schedule + "\n```", state.GlobalStep);
    }

    public override void BeforeStep(TrainingState state)
    {
        if (ImageEvery > 0 && (state.GlobalStep + 1) % ImageEvery == 0) state.KeepSamples = true;
    }

    public override void AfterStep(TrainingState state)
    {
        var step = state.GlobalStep;
        var output = state.LastStep!;
        if (ScalarEvery > 0 && step % ScalarEvery == 0)
        {
            foreach (var (name, value) in output.Losses) writer.AddScalar($"loss/{name}", value, step);
            foreach (var (name, optimizer) in state.Optimizers) writer.AddScalar($"lr/{name}", optimizer.param_groups[0].lr, step);
        }
        if (output.Output is not null) writer.AddImages("samples/input|output|target", SampleGrid(output, maxSamples), step, nrow: output.Target is null ? 2 : 3);
        if (WeightsEvery > 0 && step % WeightsEvery == 0)
        {
            using var scope = torch.NewDisposeScope();
            foreach (var (modelName, model) in state.Models)
                foreach (var (name, p) in model.named_parameters()) writer.AddHistogram($"weights/{modelName}/{name}", p.detach(), step);
        }
    }

    public override void AfterFit(TrainingState state) => writer.Flush();

    /// <summary>Rows of input | output | target, inputs resized to the output size (nearest) and gray shown as RGB.</summary>
    internal static Tensor SampleGrid(StepOutput sample, int maxSamples)
    {
        using var scope = torch.NewDisposeScope();
        var output = sample.Output!;
        var n = Math.Min(maxSamples, output.size(0));
        long h = output.size(2), w = output.size(3);
        Tensor Prepare(Tensor t)
        {
            t = t.narrow(0, 0, n).detach().to(ScalarType.Float32).cpu();
            if (t.size(2) != h || t.size(3) != w) t = F.interpolate(t, size: (h, w), mode: "nearest");
            if (t.size(1) == 1) t = t.expand(n, 3, h, w);
            return t.clamp(0, 1);
        }
        var columns = new List<Tensor>();
        if (sample.Input is not null) columns.Add(Prepare(sample.Input));
        columns.Add(Prepare(output));
        if (sample.Target is not null) columns.Add(Prepare(sample.Target));
        // (n, columns, 3, h, w) → row-major grid cells: every row is one sample.
        return torch.stack(columns, 1).reshape(n * columns.Count, 3, h, w).MoveToOuterDisposeScope();
    }

    public override string Describe() => $"TensorBoardLogger(scalars every {ScalarEvery}, images every {ImageEvery}, weights every {WeightsEvery} → {writer.LogDir})";
}
