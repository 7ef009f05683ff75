using F = Workbench.Torch.nn.functional;

namespace Workbench.Torch.Tests;

/// <summary>
/// End to end: small networks built from the nn layer learn generated problems with plain SGD written inline
/// (the optimizers live in optim/). Seeds are fixed; the thresholds leave a wide margin over the losses reached
/// (measured: MLP 0.706 → 0.023 in 250 steps, CNN 0.734 → 0.016 in 40 steps).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class TrainingTests
{
    private static void SgdStep(nn.Module model, double lr)
    {
        using (torch.no_grad())
            foreach (var p in model.parameters())
            {
                using var g = p.grad;
                if (g is not null) p.sub_(g, lr);
            }
        model.zero_grad();
    }

    [Fact]
    public void MlpLearnsConcentricCircles()
    {
        torch.manual_seed(0);
        using var scope = torch.NewDisposeScope();
        // 256 points: label 1 inside radius 0.6, 0 in the ring 0.8..1.2 — not linearly separable.
        var angle = torch.rand(256) * (2 * Math.PI);
        var label = (torch.rand(256) > 0.5).@float();
        var radius = label * (torch.rand(256) * 0.6) + (1 - label) * (torch.rand(256) * 0.4 + 0.8);
        var x = torch.stack(new[] { radius * angle.cos(), radius * angle.sin() }, 1);
        var y = label.unsqueeze(1);

        using var mlp = new nn.Sequential(new nn.Linear(2, 32), new nn.Tanh(), new nn.Linear(32, 32), new nn.Tanh(), new nn.Linear(32, 1));
        double first = 0, last = 0;
        for (var step = 0; step < 250; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var loss = F.binary_cross_entropy_with_logits(mlp.call(x), y);
            if (step == 0) first = loss.item<double>();
            last = loss.item<double>();
            loss.backward();
            SgdStep(mlp, 0.5);
        }
        Assert.True(last < 0.1, $"MLP loss {first:F3} -> {last:F3}, expected < 0.1");
        using (torch.no_grad())
        {
            var accuracy = (mlp.call(x) > 0).@float().eq(y).@float().mean().item<double>();
            Assert.True(accuracy > 0.97, $"accuracy {accuracy:F3}");
        }
    }

    [Fact]
    public void CnnLearnsBarOrientation()
    {
        torch.manual_seed(1);
        using var scope = torch.NewDisposeScope();
        // 64 noisy 12×12 images: class 0 has a horizontal bar, class 1 a vertical one, at a random position.
        const int n = 64;
        var images = torch.randn(n, 1, 12, 12) * 0.3;
        var labels = torch.randint(0, 2, new long[] { n });
        var rng = new Random(1);
        var labelData = labels.data<long>();
        for (var i = 0; i < n; i++)
        {
            var pos = rng.Next(2, 10);
            var bar = labelData[i] == 0 ? images[i, 0, pos] : images[i, 0, .., pos];
            bar.add_(1.5);
        }

        using var cnn = new nn.Sequential(
            new nn.Conv2d(1, 8, 3, padding: 1), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2), // 8×6×6
            new nn.Conv2d(8, 16, 3, padding: 1), new nn.ReLU(),                                           // 16×6×6
            new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(16, 2));
        double first = 0, last = 0;
        for (var step = 0; step < 40; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var loss = F.cross_entropy(cnn.call(images), labels);
            if (step == 0) first = loss.item<double>();
            last = loss.item<double>();
            loss.backward();
            SgdStep(cnn, 0.2);
        }
        Assert.True(last < 0.1, $"CNN loss {first:F3} -> {last:F3}, expected < 0.1");
        cnn.eval(); // running statistics, not batch statistics, from here on
        using (torch.no_grad())
        {
            var accuracy = cnn.call(images).argmax(1).eq(labels).@float().mean().item<double>();
            Assert.True(accuracy >= 0.98, $"eval-mode accuracy {accuracy:F3}");
        }
    }
}
