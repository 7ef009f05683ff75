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

    [Fact]
    public void TwoWorkersTrainAndOnlyRankZeroWritesTheRun()
    {
        var r = Train();
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains("launched ranks 0..1 of 2", r.Stderr);
        Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("done: 6 steps", StringComparison.Ordinal));
        var run = Path.Combine(runs, "ddp");
        Assert.True(File.Exists(Path.Combine(run, "generator.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step_00000006.safetensors")));
        Assert.Single(Directory.GetFiles(Path.Combine(run, "tb")));
    }

    [Fact]
    public void AFailingWorkerStopsTheLaunchWithItsRankAndReason()
    {
        var r = Train("ganIterations=2");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("the GAN phase does not run under --nproc-per-node yet", r.Stderr);
        Assert.Matches(@"rank \d \(pid \d+\) exited with code \d+", r.Stderr);
    }
}
