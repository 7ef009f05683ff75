namespace Workbench.Inference;

/// <summary>
/// The small models trained by <c>./run.sh quickstart</c> and kept in the repository's <c>models/</c> folder
/// (see models/MODEL_CARD.md), so `upscale` and `colorize` work before anything is trained. Nothing is downloaded.
/// </summary>
public static class ShippedModels
{
    public const string EspcnX2 = "espcn-x2.safetensors";
    public const string Colorizer = "colorizer.safetensors";

    /// <summary>The path of a shipped model file; the folder is found above the program's or the working directory.</summary>
    public static string PathOf(string file)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "models", file);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException($"no --model given and the shipped model models/{file} was not found above '{AppContext.BaseDirectory}'; pass --model weights.safetensors");
    }
}
