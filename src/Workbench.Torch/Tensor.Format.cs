using System.Globalization;
using System.Text;

namespace Workbench.Torch;

// ToString() that prints like PyTorch: same number formatting, summarization and suffixes.
public sealed partial class Tensor
{
    private const int EdgeItems = 3;
    private const int SummarizeThreshold = 1000;
    private const int LineWidth = 80;

    public override string ToString()
    {
        if (IsDisposed) return "tensor(<disposed>)";
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var dims = shape;
        var summarize = numel() > SummarizeThreshold;
        var shown = summarize ? Summarized(this.detach().cpu()) : this.detach().cpu();
        var suffixes = new List<string>();
        var body = numel() == 0 ? "[]" : FormatBody(shown, dims, summarize);
        if (numel() == 0 && dims.Length != 1) suffixes.Add($"size=({string.Join(", ", dims)}{(dims.Length == 1 ? "," : "")})");
        if (device.Type != DeviceType.CPU) suffixes.Add($"device='{device}'");
        if (dtype is not (ScalarType.Float32 or ScalarType.Int64 or ScalarType.Bool)) suffixes.Add($"dtype={dtype.TorchName()}");
        if (grad_fn is { } fn) suffixes.Add($"grad_fn=<{fn}>");
        else if (requires_grad) suffixes.Add("requires_grad=True");
        var text = "tensor(" + body;
        foreach (var s in suffixes) text += ", " + s;
        return text + ")";
    }

    /// <summary>Keeps the first and last <see cref="EdgeItems"/> along every long dimension.</summary>
    private static Tensor Summarized(Tensor t)
    {
        var result = t;
        for (var d = 0; d < t.dim(); d++)
        {
            var n = result.size(d);
            if (n > 2 * EdgeItems) result = torch.cat(new[] { result.narrow(d, 0, EdgeItems), result.narrow(d, n - EdgeItems, EdgeItems) }, d);
        }
        return result;
    }

    private static string FormatBody(Tensor shown, long[] fullShape, bool summarize)
    {
        var format = ElementFormatter.Create(shown);
        var values = format.Texts;
        var width = values.Length == 0 ? 1 : values.Max(v => v.Length);
        var shownShape = shown.shape;
        if (shownShape.Length == 0) return values[0];
        var sb = new StringBuilder();
        var offset = 0;
        Append(sb, 0, "tensor(".Length);
        return sb.ToString();

        void Append(StringBuilder output, int d, int indent)
        {
            var n = (int)shownShape[d];
            var elided = summarize && fullShape[d] > 2 * EdgeItems;
            output.Append('[');
            if (d == shownShape.Length - 1)
            {
                var perLine = Math.Max(1, (LineWidth - indent - 1) / (width + 2));
                var onLine = 0;
                for (var i = 0; i < n; i++)
                {
                    if (i > 0)
                    {
                        output.Append(',');
                        if (onLine >= perLine) { output.Append('\n').Append(' ', indent + 1); onLine = 0; }
                        else output.Append(' ');
                    }
                    if (elided && i == EdgeItems) { output.Append("...,").Append(' '); onLine++; }
                    output.Append(values[offset++].PadLeft(width));
                    onLine++;
                }
            }
            else
            {
                var separator = "," + new string('\n', shownShape.Length - d - 1) + new string(' ', indent + 1);
                for (var i = 0; i < n; i++)
                {
                    if (i > 0) output.Append(separator);
                    if (elided && i == EdgeItems) output.Append("...").Append(separator);
                    Append(output, d + 1, indent + 1);
                }
            }
            output.Append(']');
        }
    }

    /// <summary>PyTorch's _Formatter: integer mode ("1."), fixed 4 decimals, or scientific when the range is wide.</summary>
    private sealed class ElementFormatter
    {
        public string[] Texts { get; private init; } = Array.Empty<string>();

        public static ElementFormatter Create(Tensor t)
        {
            var inv = CultureInfo.InvariantCulture;
            if (t.dtype == ScalarType.Bool)
                return new() { Texts = t.data<bool>().Select(b => b ? "True" : "False").ToArray() };
            if (!t.is_floating_point())
                return new() { Texts = t.to(ScalarType.Int64).data<long>().Select(v => v.ToString(inv)).ToArray() };

            var values = t.to(ScalarType.Float64).data<double>();
            var finite = values.Where(double.IsFinite).Select(Math.Abs).Where(v => v != 0).ToArray();
            var intMode = values.Where(double.IsFinite).All(v => v == Math.Round(v));
            bool sci;
            if (finite.Length == 0) sci = false;
            else if (intMode) sci = finite.Max() > 1e8;
            else sci = finite.Max() / finite.Min() > 1000 || finite.Max() > 1e8 || finite.Min() < 1e-4;

            string Format(double v)
            {
                if (double.IsNaN(v)) return "nan";
                if (double.IsPositiveInfinity(v)) return "inf";
                if (double.IsNegativeInfinity(v)) return "-inf";
                if (sci) return v.ToString("0.0000e+00", inv);
                if (intMode) return v.ToString("0", inv) + ".";
                return v.ToString("0.0000", inv);
            }

            return new() { Texts = values.Select(Format).ToArray() };
        }
    }
}
