using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// A black-and-white photo made from a colour one the way film would have made it, not with one fixed
/// luma formula (the DeOldify comment thread: "B&amp;W photo is not grayscale; the same scene on B&amp;W film
/// with a blue, red or yellow filter differs a lot"). Each call draws a <see cref="FilmResponse"/>:
/// the spectral sensitivity of a film type (panchromatic, orthochromatic, blue-sensitive plate, or fully
/// random weights), times the transmission of a lens filter (none, yellow, orange, red, green, blue),
/// jittered, applied in linear light; then a tone curve (gamma and an S-shaped contrast).
/// The result has equal channels (3 by default, or 1).
/// </summary>
public sealed class FilmGrayscale : Degradation
{
    /// <summary>Approximate channel sensitivities of film types (illustrative values, not measurements).</summary>
    public static readonly IReadOnlyList<(string Name, double R, double G, double B)> FilmTypes =
    [
        ("panchromatic", 0.27, 0.38, 0.35),      // modern general-purpose B&W film: flatter than the eye, more blue
        ("panchromatic-red", 0.33, 0.37, 0.30),  // extended red sensitivity
        ("orthochromatic", 0.02, 0.50, 0.48),    // blind to red: lips and skies dark/light, early 1900s look
        ("blue-sensitive", 0.01, 0.12, 0.87),    // 19th-century plates: red renders black, skies white
    ];

    /// <summary>Approximate transmission of lens filters photographers used with B&amp;W film.</summary>
    public static readonly IReadOnlyList<(string Name, double R, double G, double B)> Filters =
    [
        ("none", 1.0, 1.0, 1.0),
        ("yellow", 1.0, 0.92, 0.35),  // darker skies, the common default
        ("orange", 1.0, 0.6, 0.12),
        ("red", 1.0, 0.18, 0.04),     // dramatic black skies
        ("green", 0.35, 1.0, 0.35),   // lighter foliage, darker skin
        ("blue", 0.25, 0.45, 1.0),
    ];

    /// <param name="randomWeightsProbability">Chance of fully random channel weights instead of a film type.</param>
    /// <param name="filterProbability">Chance of a coloured filter in front of the lens.</param>
    /// <param name="gamma">Tone curve exponent range.</param>
    /// <param name="contrast">Strength of the S-curve (0 = linear).</param>
    /// <param name="outputChannels">3 (equal channels, the shape colour models take) or 1.</param>
    public FilmGrayscale(double randomWeightsProbability = 0.25, double filterProbability = 0.5, ValueRange? gamma = null, ValueRange? contrast = null, int outputChannels = 3)
    {
        if (!(randomWeightsProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(randomWeightsProbability));
        if (!(filterProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(filterProbability));
        if (outputChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(outputChannels), outputChannels, "1 or 3 output channels");
        RandomWeightsProbability = randomWeightsProbability;
        FilterProbability = filterProbability;
        Gamma = (gamma ?? new ValueRange(0.8, 1.25)).Validate(nameof(gamma), 0.1, 10);
        Contrast = (contrast ?? new ValueRange(0, 0.6)).Validate(nameof(contrast), -1, 1);
        OutputChannels = outputChannels;
    }

    public double RandomWeightsProbability { get; }

    public double FilterProbability { get; }

    public ValueRange Gamma { get; }

    public ValueRange Contrast { get; }

    public int OutputChannels { get; }

    public override string Name => $"FilmGrayscale(random weights p={RandomWeightsProbability:G3}, filter p={FilterProbability:G3})";

    /// <summary>Draws a film/filter/curve combination.</summary>
    public FilmResponse SampleResponse(Random random)
    {
        double r, g, b;
        string description;
        if (random.NextDouble() < RandomWeightsProbability)
        {
            // Flat Dirichlet weights: any mix of the channels is equally likely.
            (r, g, b) = (-Math.Log(1 - random.NextDouble()), -Math.Log(1 - random.NextDouble()), -Math.Log(1 - random.NextDouble()));
            description = "random";
        }
        else
        {
            var film = FilmTypes[random.Next(FilmTypes.Count)];
            var filter = random.NextDouble() < FilterProbability ? Filters[1 + random.Next(Filters.Count - 1)] : Filters[0];
            // Batches of film, developers and filters differ: jitter each weight by up to about ±20%.
            r = film.R * filter.R * Math.Exp(0.2 * (2 * random.NextDouble() - 1));
            g = film.G * filter.G * Math.Exp(0.2 * (2 * random.NextDouble() - 1));
            b = film.B * filter.B * Math.Exp(0.2 * (2 * random.NextDouble() - 1));
            description = filter.Name == "none" ? film.Name : $"{film.Name} + {filter.Name} filter";
        }
        var sum = r + g + b;
        return new FilmResponse(description, r / sum, g / sum, b / sum, Gamma.Sample(random), Contrast.Sample(random));
    }

    protected override Tensor ApplyCore(Tensor image, Random random) => Render(image, SampleResponse(random), OutputChannels);

    /// <summary>Renders a colour (or gray) CHW image through a given response; 3 equal channels or 1.</summary>
    public static Tensor Render(Tensor image, FilmResponse response, int outputChannels = 3)
    {
        using var scope = torch.NewDisposeScope();
        // Film integrates light, so mix in linear light (sRGB ≈ gamma 2.2) and re-encode afterwards.
        var linear = image.clamp(0.0, 1.0).pow(2.2);
        var exposure = image.size(0) == 3
            ? linear.mul(torch.tensor(new[] { (float)response.R, (float)response.G, (float)response.B }, [3, 1, 1])).sum(0, keepdim: true)
            : linear;
        var tone = exposure.pow(1 / 2.2).clamp(0.0, 1.0).pow(response.Gamma);
        // S-curve: blend with smoothstep (deeper shadows, brighter highlights); a negative amount flattens.
        var smooth = tone.mul(tone).mul(tone.mul(-2).add(3));
        var gray = tone.lerp(smooth, response.Contrast).clamp(0.0, 1.0);
        return (outputChannels == 3 ? gray.expand(3, -1, -1).contiguous() : gray).MoveToOuterDisposeScope();
    }
}

/// <summary>One drawn film response: normalized channel weights (sum 1), tone-curve gamma and S-curve amount.</summary>
public sealed record FilmResponse(string Description, double R, double G, double B, double Gamma, double Contrast);
