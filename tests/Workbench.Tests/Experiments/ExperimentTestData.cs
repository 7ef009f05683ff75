using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Experiments;

/// <summary>A synthetic digits set in the layout of <c>workbench data init</c>: class k is a bright bar at row 2k, plus noise.</summary>
internal static class ExperimentTestData
{
    public static string Digits(string root, int perClass = 30, int testPerClass = 10)
    {
        var random = new Random(5);
        var n = perClass * 10;
        var pixels = new byte[n * 400];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            var k = i % 10;
            labels[i] = k;
            for (var p = 0; p < 400; p++)
            {
                var bar = p / 20 == 2 * k || p / 20 == 2 * k + 1;
                pixels[i * 400 + p] = (byte)Math.Clamp((bar ? 200 : 20) + random.Next(-40, 40), 0, 255);
            }
        }
        var test = Enumerable.Range(0, n).Where(i => i / 10 < testPerClass).Select(i => (long)i).ToArray();
        var train = Enumerable.Range(0, n).Where(i => i / 10 >= testPerClass).Select(i => (long)i).ToArray();
        Directory.CreateDirectory(Path.Combine(root, "digits"));
        using var scope = torch.NewDisposeScope();
        SafeTensors.Save(Path.Combine(root, "digits", "digits.safetensors"), new Dictionary<string, Tensor>
        {
            ["images"] = torch.tensor(pixels, [n, 20, 20]),
            ["labels"] = torch.tensor(labels, [n]),
            ["train_index"] = torch.tensor(train, [train.Length]),
            ["test_index"] = torch.tensor(test, [test.Length]),
        });
        return root;
    }
}
