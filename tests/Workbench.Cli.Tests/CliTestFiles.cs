using Workbench.Inference;
using Workbench.Models;

namespace Workbench.Cli.Tests;

/// <summary>Files the CLI tests hand to the process: a temporary folder and a tiny untrained colorizer.</summary>
internal static class CliTestFiles
{
    /// <summary>An untrained "tiny" U-Net colorizer saved as training saves one.</summary>
    public static string TinyColorizer(string dir)
    {
        var path = Path.Combine(dir, "tiny.safetensors");
        var spec = UnetSpec.Preset("tiny");
        using (var generator = spec.Build()) ModelFile.Save(path, generator, new ModelFileInfo(nameof(DynamicUnet), spec.ToJson(), "colorize"));
        return path;
    }

    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("wb-cli-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
