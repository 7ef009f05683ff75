using System.Runtime.InteropServices;
using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

/// <summary>
/// The image pairs and skimage's values written by tests/reference/image_metrics_reference.py:
/// three predictions (noisy, blurred, colour-shifted) of one astronaut crop, float32 N×3×48×64.
/// </summary>
internal static class MetricsReference
{
    private static readonly Lazy<(float[] prediction, float[] target, long[] shape, int crop, JsonElement[] pairs)> Loaded = new(Load);

    public static int Count => Loaded.Value.pairs.Length;

    public static int Crop => Loaded.Value.crop;

    /// <summary>skimage's value of <paramref name="key"/> for pair <paramref name="i"/>.</summary>
    public static double Expected(int i, string key) => Loaded.Value.pairs[i].GetProperty(key).GetDouble();

    /// <summary>Prediction and target as (N, 3, H, W) float32 tensors (the caller disposes them).</summary>
    public static (Tensor prediction, Tensor target) Batch()
    {
        var (p, t, shape, _, _) = Loaded.Value;
        return (torch.tensor(p, shape), torch.tensor(t, shape));
    }

    private static (float[], float[], long[], int, JsonElement[]) Load()
    {
        var dir = PythonReference.Run("image_metrics_reference.py");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var root = doc.RootElement;
        var shape = root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        float[] Read(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dir, name))).ToArray();
        return (Read("prediction.bin"), Read("target.bin"), shape, root.GetProperty("crop").GetInt32(),
            root.GetProperty("pairs").EnumerateArray().Select(e => e.Clone()).ToArray());
    }
}
