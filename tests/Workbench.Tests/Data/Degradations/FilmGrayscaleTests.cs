using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class FilmGrayscaleTests
{
    [Fact]
    public void GivesEqualChannelsDeterministically()
    {
        using var input = Picture();
        DeterministicAndInRange(new FilmGrayscale(), input);
        DeterministicAndInRange(new FilmGrayscale(outputChannels: 1), input, [1, 48, 64]);
        using var scope = torch.NewDisposeScope();
        for (var seed = 0; seed < 8; seed++)
        {
            var bw = new FilmGrayscale().Apply(input, new Random(seed));
            Assert.Equal(bw[0].data<float>(), bw[1].data<float>());
            Assert.Equal(bw[0].data<float>(), bw[2].data<float>());
        }
    }

    [Fact]
    public void DiffersFromPlainLumaAndBetweenFilms()
    {
        using var scope = torch.NewDisposeScope();
        var input = Picture();
        var luma = input.mul(torch.tensor(new[] { 0.299f, 0.587f, 0.114f }, [3, 1, 1])).sum(0, keepdim: true);
        var film = new FilmGrayscale();
        var renders = Enumerable.Range(0, 6).Select(s => film.Apply(input, new Random(s))[0].unsqueeze(0)).ToList();
        Assert.All(renders, r => Assert.True(MaxAbsDifference(r, luma) > 0.02));
        Assert.Equal(renders.Count, renders.Select(r => string.Join(",", r.data<float>())).Distinct().Count());
    }

    [Fact]
    public void RedFilterDarkensBlueSkyAndWeightsSumToOne()
    {
        using var scope = torch.NewDisposeScope();
        var sky = torch.tensor(new[] { 0.2f, 0.45f, 0.9f }, [3, 1, 1]).expand(3, 4, 4).contiguous();
        var plain = new FilmResponse("panchromatic", 0.27, 0.38, 0.35, 1, 0);
        var red = new FilmResponse("panchromatic + red filter", 0.8, 0.15, 0.05, 1, 0);
        Assert.True(FilmGrayscale.Render(sky, red).mean().item<float>() < FilmGrayscale.Render(sky, plain).mean().item<float>() - 0.15);
        var random = new Random(3);
        for (var i = 0; i < 50; i++)
        {
            var r = new FilmGrayscale().SampleResponse(random);
            Assert.Equal(1.0, r.R + r.G + r.B, 9);
            Assert.True(r.R >= 0 && r.G >= 0 && r.B >= 0, r.Description);
        }
    }
}
