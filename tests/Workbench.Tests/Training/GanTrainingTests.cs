using System.Text.Json;

using Workbench.Logging;
using Workbench.Losses;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Training;
using Workbench.Training.Callbacks;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Tests.Training;

[Collection(SequentialCollection.Name)]
public sealed class GanTrainingTests : IDisposable
{
    private readonly string run = Directory.CreateTempSubdirectory("wb-gan-").FullName;

    public void Dispose() => Directory.Delete(run, recursive: true);

    [Fact]
    public void NoGanScheduleLogsScalarsImagesAndCheckpointsThatAnIndependentReaderValidates()
    {
        torch.manual_seed(3);
        using var generator = new TinyModels.Upscaler();
        using var critic = new TinyModels.Critic();
        using var gOpt = new optim.Adam(generator.parameters(), lr: 1e-3, betas: (0.5, 0.99));
        using var dOpt = new optim.Adam(critic.parameters(), lr: 1e-3, betas: (0.5, 0.99));
        var step = new GanStep(generator, critic, new CompositeLoss(new LossTerm("pixel", 1, (o, t) => F.l1_loss(o, t))),
            new NonRewardingRelativisticGanLoss(), gOpt, dOpt, new GanOptions { CriticStepsPerGeneratorStep = 2 });
        var schedule = new Schedule(new[]
        {
            new Phase("pretrain_g", 6, 16, 4, 1e-3, PhaseKind.PretrainGenerator),
            new Phase("pretrain_d", 4, 16, 4, 1e-3, PhaseKind.PretrainCritic),
            new Phase("gan16", 6, 16, 4, 5e-4, PhaseKind.Gan),
            new Phase("gan24", 6, 24, 4, 2e-4, PhaseKind.Gan),
        });
        var logDir = Path.Combine(run, "tb");
        using (var writer = new SummaryWriter(logDir))
        {
            var trainer = new Trainer<Workbench.Data.ImageBatch>(step, p => TinyModels.Loader(16, p.ImageSize, p.BatchSize), schedule, run, new Callback[]
            {
                new NanGuard(), new TensorBoardLogger(writer, scalarEvery: 1, imageEvery: 5, weightsEvery: 10), new Checkpointer(every: 10),
            });
            var state = trainer.Fit();
            Assert.True(state.Completed, state.StopReason);
        }

        // Critic iterations log critic losses, generator iterations generator losses, in the 2:1 pattern.
        Assert.True(step.TrainsCritic(0) && step.TrainsCritic(1) && !step.TrainsCritic(2));

        var output = PythonReference.Run("tfevents_reader.py", logDir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "events.json")));
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.NotEmpty(files);
        var values = new List<(long step, string tag, string kind)>();
        foreach (var file in files)
        {
            Assert.Empty(file.GetProperty("crc_errors").EnumerateArray());
            foreach (var e in file.GetProperty("events").EnumerateArray())
                if (e.TryGetProperty("values", out var vs))
                    foreach (var v in vs.EnumerateArray()) values.Add((e.GetProperty("step").GetInt64(), v.GetProperty("tag").GetString()!, v.GetProperty("kind").GetString()!));
        }
        var pixelSteps = values.Where(v => v.tag == "loss/pixel").Select(v => v.step).ToList();
        var criticSteps = values.Where(v => v.tag == "loss/critic").Select(v => v.step).ToList();
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 13, 16, 19, 22 }, pixelSteps);
        Assert.Equal(new long[] { 7, 8, 9, 10, 11, 12, 14, 15, 17, 18, 20, 21 }, criticSteps);
        Assert.Contains(values, v => v.tag == "loss/adversarial" && v.step == 13);
        Assert.Equal(new long[] { 5, 10, 15, 20 }, values.Where(v => v.kind == "image").Select(v => v.step).Distinct().Order());
        Assert.Contains(values, v => v.kind == "histo" && v.tag == "weights/critic/body.0.weight" && v.step == 20);
        Assert.Contains(values, v => v.tag.StartsWith("config", StringComparison.Ordinal) || v.tag.StartsWith("schedule", StringComparison.Ordinal));

        var checkpoints = Directory.GetFiles(Checkpointer.Directory(run)).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(new[] { "latest.safetensors", "phase0_pretrain_g.safetensors", "phase1_pretrain_d.safetensors", "phase2_gan16.safetensors",
            "phase3_gan24.safetensors", "step_00000010.safetensors", "step_00000020.safetensors" }, checkpoints);
        Assert.Equal(22, Checkpoint.ReadPosition(Checkpointer.LatestPath(run)).GlobalStep);
    }
}
