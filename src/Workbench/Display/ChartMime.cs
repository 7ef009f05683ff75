using Plotly.NET;

using Workbench.Plotting;

namespace Workbench.Display;

/// <summary>
/// A Plotly.NET chart as a notebook output: plotly.js from the local npm package, loaded once per notebook, and the
/// chart's div; Plotly's own MIME type goes along for front ends that draw it natively.
/// </summary>
public static class ChartMime
{
    public static IReadOnlyDictionary<string, string> ToMimeBundle(GenericChart chart)
    {
        var spec = chart.ToJsonObject();
        var (width, height) = PlotlyNetChart.Size(spec);
        return new Dictionary<string, string>
        {
            [MimeTypes.PlainText] = PlotlyNetChart.Describe(spec),
            [MimeTypes.Html] = PlotlyJs.NotebookLoaderOnce() + PlotlyHtml.Div(spec, width, height),
            [MimeTypes.Plotly] = spec.ToJsonString(),
        };
    }
}
