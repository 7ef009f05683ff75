using System.Text.Json.Nodes;

namespace Workbench.Kernel.Tests;

public class KernelSpecInstallerTests
{
    [Fact]
    public void InstallWritesKernelJsonUnderThePrefix()
    {
        var prefix = Directory.CreateTempSubdirectory("wb-spec").FullName;
        var dir = KernelSpecInstaller.Install(prefix);
        Assert.Equal(Path.Combine(prefix, "share", "jupyter", "kernels", "workbench-csharp"), dir);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
        Assert.Equal("C# (Workbench)", (string?)spec["display_name"]);
        Assert.Equal("csharp", (string?)spec["language"]);
        Assert.Equal("message", (string?)spec["interrupt_mode"]);
        var argv = spec["argv"]!.AsArray().Select(a => (string?)a).ToArray();
        Assert.Equal("dotnet", Path.GetFileName(argv[0]));
        Assert.True(Path.IsPathRooted(argv[1]) && argv[1]!.EndsWith("workbench-kernel.dll", StringComparison.Ordinal) && File.Exists(argv[1]));
        Assert.Equal(new[] { "-f", "{connection_file}" }, argv[2..]);
    }

    [Fact]
    public void UserInstallHonoursJupyterDataDir()
    {
        var data = Directory.CreateTempSubdirectory("wb-data").FullName;
        var previous = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        try
        {
            Environment.SetEnvironmentVariable("JUPYTER_DATA_DIR", data);
            Assert.Equal(Path.Combine(data, "kernels", "workbench-csharp"), KernelSpecInstaller.Install());
        }
        finally
        {
            Environment.SetEnvironmentVariable("JUPYTER_DATA_DIR", previous);
        }
    }

    [Fact]
    public void AsDotNetInteractiveInstallsUnderItsKernelspecName()
    {
        var prefix = Directory.CreateTempSubdirectory("wb-spec").FullName;
        var dir = KernelSpecInstaller.Install(prefix, asDotNetInteractive: true);
        Assert.Equal(Path.Combine(prefix, "share", "jupyter", "kernels", ".net-csharp"), dir);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
        Assert.Contains("Workbench", (string?)spec["display_name"], StringComparison.Ordinal);
        Assert.EndsWith("workbench-kernel.dll", (string?)spec["argv"]![1], StringComparison.Ordinal);
    }
}
