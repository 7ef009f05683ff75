using System.Diagnostics;

using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Serialization;

public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("wb-atomic-");

    public void Dispose() => dir.Delete(true);

    private string Target => Path.Combine(dir.FullName, "checkpoint.bin");

    [Fact]
    public void ReplacesTheTargetAndLeavesNoTempFile()
    {
        File.WriteAllText(Target, "old");
        AtomicFile.WriteAllText(Target, "new contents");
        Assert.Equal("new contents", File.ReadAllText(Target));
        Assert.Equal(new[] { Target }, Directory.GetFiles(dir.FullName));
    }

    [Fact]
    public void CreatesAMissingTarget()
    {
        AtomicFile.WriteAllBytes(Target, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Target));
    }

    [Fact]
    public void AFailingWriterLeavesTheOriginalIntact()
    {
        File.WriteAllText(Target, "original");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(Target, s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidOperationException("simulated crash after a partial write");
        }));
        Assert.Contains("simulated crash", e.Message);
        Assert.Equal("original", File.ReadAllText(Target));
        Assert.Equal(new[] { Target }, Directory.GetFiles(dir.FullName)); // the temp file was removed
    }

    [Fact]
    public void WhileAWriteIsUnderWayTheTargetStillHoldsTheOldContents()
    {
        File.WriteAllText(Target, "original");
        AtomicFile.Write(Target, s =>
        {
            s.Write(new byte[4096]);
            s.Flush();
            Assert.Equal("original", File.ReadAllText(Target));
        });
        Assert.Equal(4096, new FileInfo(Target).Length);
    }

    /// <summary>The real thing: a child process is killed (SIGKILL) in the middle of writing.</summary>
    [Fact]
    public void AProcessKilledMidWriteLeavesTheOriginalIntact()
    {
        File.WriteAllText(Target, "original");
        var psi = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(AtomicFileTests).Assembly.Location);
        psi.ArgumentList.Add(ChildProgram.AtomicWriteThenHang);
        psi.ArgumentList.Add(Target);
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the child process");
        try
        {
            // The child prints the line only once a megabyte has reached its temp file.
            var line = child.StandardOutput.ReadLine();
            Assert.True(line == ChildProgram.Writing, $"child said '{line}', stderr: {(child.HasExited ? child.StandardError.ReadToEnd() : "")}");
            Assert.Contains(Directory.GetFiles(dir.FullName), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no cleanup in the child
            child.WaitForExit();
        }
        Assert.Equal("original", File.ReadAllText(Target));

        AtomicFile.WriteAllText(Target, "next"); // a stale temp file does not get in the way
        Assert.Equal("next", File.ReadAllText(Target));
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";
}
