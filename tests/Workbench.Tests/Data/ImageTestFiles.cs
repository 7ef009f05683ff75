using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Data;

/// <summary>The files tests/reference/make_test_images.py writes, and what Pillow decoded from them.</summary>
internal static class ImageTestFiles
{
    private static readonly Lazy<(string Folder, Dictionary<string, Tensor> Expected)> Generated = new(() =>
    {
        var output = PythonReference.Run("make_test_images.py");
        var expected = SafeTensors.Load(Path.Combine(output, "expected.safetensors"));
        foreach (var t in expected.Values) t.DetachFromDisposeScope();
        return (Path.Combine(output, "images"), expected);
    });

    public static string FilePath(string name) => Path.Combine(Generated.Value.Folder, name);

    /// <summary>Pillow's decode: key "file", "file|rgba" or "file|gray".</summary>
    public static Tensor Expected(string key) => Generated.Value.Expected[key];

    /// <summary>Largest absolute difference, in 8-bit levels (1 = 1/255).</summary>
    public static double MaxLevels(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        return actual.sub(expected).abs().max().item<float>() * 255.0;
    }
}
