using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// Bicubic inside a plain ESPCN. <see cref="Init"/> sets an ESPCN's weights so that it computes antialiased
/// bicubic upsampling (a = −0.5, the bicubic the held-out comparison uses) exactly, away from the zero-padded
/// border; <see cref="FoldResidual"/> turns a network trained as bicubic + ESPCN (<see cref="BicubicResidual"/>)
/// into one plain ESPCN with 2·3·r² more channels that computes the same thing, so the residual formulation
/// exports as an ordinary <c>espcn</c> weights file.
/// <para>Why: from random weights ESPCN first spends hundreds of steps learning to reproduce the image at
/// all; on a CPU budget of a few minutes it never catches up with bicubic (measured: 30.7 dB vs 32.8 dB
/// after 200 steps). Predicting the residual over bicubic fixes that but changes the architecture;
/// this keeps the plain ESPCN (same layers, same weights file, <c>workbench upscale</c> loads it) and
/// only chooses its starting point.</para>
/// <para>How: bicubic x r is linear, and each of the r² output phases of a low-resolution pixel is a
/// 4x4-tap filter that fits the first layer's 5x5 kernel, so n = 3·r² channels of the first conv compute
/// the bicubic values (r² phases per colour, in PixelShuffle's channel order). A LeakyReLU with slope a
/// is not linear, but lrelu(z) − lrelu(−z) = (1 + a)·z for every z, so n more channels carry −z, and the
/// next layers recombine the pair with weights ±1/(1 + a) at the kernel centre. The remaining channels
/// keep their random init; the last conv starts with zero weights from them, so at step 0 the network
/// is bicubic and gradients flow into the free channels from the first step.</para>
/// </summary>
public static class EspcnBicubic
{
    /// <summary>Overwrites the first 2·3·r² channels of <paramref name="model"/> (and its last conv) with the bicubic path.</summary>
    /// <exception cref="ArgumentException">The network has a non-default head or too few channels (2·3·r² are needed).</exception>
    public static void Init(Espcn model)
    {
        var r = model.scale;
        var colors = model.in_channels;
        var n = colors * r * r;
        var channels = model.channels;
        if (model.get_submodule("pixel_shuffle") is not UpsampleHead { steps: UpsampleSteps.OneStep, convs_after: 0 })
            throw new ArgumentException("bicubic init needs ESPCN's default head (one sub-pixel conv, no convs after)");
        if (channels < 2 * n)
            throw new ArgumentException($"bicubic init of a x{r} ESPCN needs at least {2 * n} channels (it has {channels})");
        var slope = ((nn.LeakyReLU)model.get_submodule("layers.1")).negative_slope;
        var pass = 1.0 / (1.0 + slope);

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Edit(model.get_parameter("layers.0.weight"), w => // (channels, colors, 5, 5)
        {
            Array.Clear(w, 0, (int)(2 * n * colors * 25));
            for (var c = 0; c < colors; c++)
                for (var dy = 0; dy < r; dy++)
                    for (var dx = 0; dx < r; dx++)
                    {
                        var k = (c * r + dy) * r + dx; // PixelShuffle's channel order: colour, row phase, column phase
                        var (ty, tx) = (Taps(r, dy), Taps(r, dx));
                        for (var y = 0; y < 5; y++)
                            for (var x = 0; x < 5; x++)
                            {
                                var v = (float)(ty[y] * tx[x]);
                                w[((k * colors + c) * 5 + y) * 5 + x] = v;
                                w[(((k + n) * colors + c) * 5 + y) * 5 + x] = -v;
                            }
                    }
        });
        Edit(model.get_parameter("layers.0.bias"), b => Array.Clear(b, 0, (int)(2 * n)));
        Edit(model.get_parameter("layers.2.weight"), w => // (channels, channels, 3, 3)
        {
            Array.Clear(w, 0, (int)(2 * n * channels * 9));
            for (var k = 0; k < n; k++)
            {
                w[Centre(k, k, channels)] = (float)pass;
                w[Centre(k, k + n, channels)] = (float)-pass;
                w[Centre(k + n, k, channels)] = (float)-pass;
                w[Centre(k + n, k + n, channels)] = (float)pass;
            }
        });
        Edit(model.get_parameter("layers.2.bias"), b => Array.Clear(b, 0, (int)(2 * n)));
        Edit(model.get_parameter("pixel_shuffle.0.weight"), w => // (n, channels, 3, 3)
        {
            Array.Clear(w);
            for (var k = 0; k < n; k++)
            {
                w[Centre(k, k, channels)] = (float)pass;
                w[Centre(k, k + n, channels)] = (float)-pass;
            }
        });
        Edit(model.get_parameter("pixel_shuffle.0.bias"), b => Array.Clear(b));
    }

    /// <summary>
    /// A plain ESPCN computing bicubic(x) + <paramref name="residual"/>(x): its first 2n channels (n = 3·r²) are the
    /// bicubic path of <see cref="Init"/>, the next ones are the trained network's, which never read the bicubic
    /// channels; the last conv sums both. Equal to the residual model away from the zero-padded border (the
    /// Upscaler mirrors borders, so whole images match too, up to the edge rule of bicubic itself).
    /// </summary>
    public static Espcn FoldResidual(Espcn residual)
    {
        var (r, colors, c) = (residual.scale, residual.in_channels, residual.channels);
        if (residual.get_submodule("pixel_shuffle") is not UpsampleHead { steps: UpsampleSteps.OneStep, convs_after: 0 })
            throw new ArgumentException("folding needs ESPCN's default head (one sub-pixel conv, no convs after)");
        var n = colors * r * r;
        var folded = new Espcn(r, c + 2 * n, colors);
        try
        {
            Init(folded);
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            Tensor P(nn.Module m, string name) => m.get_parameter(name);
            P(folded, "layers.0.weight").narrow(0, 2 * n, c).copy_(P(residual, "layers.0.weight"));
            P(folded, "layers.0.bias").narrow(0, 2 * n, c).copy_(P(residual, "layers.0.bias"));
            var w2 = P(folded, "layers.2.weight").narrow(0, 2 * n, c); // trained rows: zero from the bicubic channels
            w2.zero_();
            w2.narrow(1, 2 * n, c).copy_(P(residual, "layers.2.weight"));
            P(folded, "layers.2.bias").narrow(0, 2 * n, c).copy_(P(residual, "layers.2.bias"));
            P(folded, "pixel_shuffle.0.weight").narrow(1, 2 * n, c).copy_(P(residual, "pixel_shuffle.0.weight"));
            P(folded, "pixel_shuffle.0.bias").copy_(P(residual, "pixel_shuffle.0.bias"));
            return folded;
        }
        catch
        {
            folded.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The 5 weights of low-resolution taps −2..2 for output phase <paramref name="phase"/> of x<paramref name="scale"/>
    /// bicubic upsampling with half-pixel centres (align_corners=False): the phase's centre sits at
    /// (phase + 0.5)/scale − 0.5 input pixels from the tap at 0. Keys' cubic with a = −0.5, normalised to sum 1.
    /// </summary>
    public static double[] Taps(long scale, long phase)
    {
        var t = (phase + 0.5) / scale - 0.5;
        var w = Enumerable.Range(-2, 5).Select(k => Cubic(t - k)).ToArray();
        var sum = w.Sum();
        return w.Select(x => x / sum).ToArray();
    }

    private static double Cubic(double x, double a = -0.5)
    {
        x = Math.Abs(x);
        return x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1
            : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
            : 0;
    }

    private static int Centre(long output, long input, long inputs) => (int)((output * inputs + input) * 9 + 4);

    private static void Edit(Tensor parameter, Action<float[]> edit)
    {
        var values = parameter.data<float>();
        edit(values);
        parameter.copy_(torch.tensor(values, parameter.shape));
    }
}
