using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class TextWatermarkTests
{
    [Fact]
    public void IsDeterministicAndChangesSomePixels()
    {
        using var input = Picture(height: 96, width: 128);
        DeterministicAndInRange(new TextWatermark(), input);
        DeterministicAndInRange(new TextWatermark(), Picture(channels: 1, height: 96, width: 128));
        using var scope = torch.NewDisposeScope();
        for (var seed = 0; seed < 10; seed++)
        {
            var marked = new TextWatermark(textHeight: 0.2, opacity: 1.0).Apply(input, new Random(seed));
            var changed = marked.sub(input).abs().sum(0L).gt(0.02).to(ScalarType.Float32).mean().item<float>();
            Assert.InRange(changed, 0.001f, 0.6f); // some text, not a flood
        }
    }

    [Fact]
    public void FixedTextAtZeroOpacityChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        var input = Picture();
        var invisible = new TextWatermark(opacity: 0.0, text: "(c) 2019").Apply(input, new Random(0));
        Assert.Equal(input.data<float>(), invisible.data<float>());
        Assert.Throws<ArgumentException>(() => new TextWatermark(text: "фото"));
    }
}
