using Workbench.Testing;

namespace Workbench.Cli.Tests;

/// <summary><c>workbench train sr --nproc-per-node 2</c>: the launcher, two worker processes on loopback, rank 0's files.</summary>
public sealed class DistributedTrainTests : IDisposable
{
    private readonly string runs = Path.Combine(Path.GetTempPath(), $"wb-ddp-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
    }

    private CliProcess.Result Train(params string[] extra)
    {
        var images = Path.Combine(PythonReference.RepoRoot, "test_images");
        string[] args =
        [
            "train", "sr", "--run", "ddp", "--nproc-per-node", "2", "--master-port", Loopback.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--dist-timeout", "60",
            "--set", $"trainDir={images}", $"testDir={images}", $"runsDir={runs}", "cropSize=32", "batchSize=1", "pretrainIterations=6",
            "validateEvery=1000", "validationCrop=48", "channels=8", "checkpointEvery=3",
        ];
        return CliProcess.Run([.. args, .. extra]);
    }

    /// <summary>Pixel pretraining, then the GAN phase (generator and critic both DDP replicas).</summary>
    [Fact]
    public void TwoWorkersTrainAndOnlyRankZeroWritesTheRun()
    {
        var r = Train("ganIterations=4", "criticShift=2");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains("launched ranks 0..1 of 2", r.Stderr);
        Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("done: 10 steps", StringComparison.Ordinal));
        var run = Path.Combine(runs, "ddp");
        Assert.True(File.Exists(Path.Combine(run, "generator.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step_00000006.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "phase1_gan.safetensors")));
        Assert.Single(Directory.GetFiles(Path.Combine(run, "tb")));
    }

    [Fact]
    public void AFailingWorkerStopsTheLaunchWithItsRankAndReason()
    {
        var r = Train($"trainDir={Path.Combine(runs, "no-such-folder")}");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no-such-folder", r.Stderr);
        Assert.Matches(@"rank \d \(pid \d+\) exited with code \d+", r.Stderr);
    }

    [Fact]
    public void TheColorizerTrainsOnTwoWorkersThroughAllItsPhases()
    {
        var images = Path.Combine(PythonReference.RepoRoot, "test_images");
        var run = Path.Combine(runs, "colorize");
        var r = CliProcess.Run("train", "colorize", "--nproc-per-node", "2", "--master-port", Loopback.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dist-timeout", "60", "--set", $"data={images}", $"validation={images}", $"run={run}", "generator=tiny", "criticWidth=8", "sizes=[64]",
            "batchSizes=[1]", "pretrainIterations=2", "criticIterations=1", "ganIterations=2", "imageEvery=2", "checkpointEvery=3", "validateEvery=0",
            "validationImages=1", "workers=0");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("done: 5 steps", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(run, "generator.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "phase2_gan64.safetensors")));
    }
}
