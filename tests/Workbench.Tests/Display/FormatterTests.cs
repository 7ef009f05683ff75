using Workbench.Display;
using Workbench.Torch;

namespace Workbench.Tests.Display;

public class FormatterTests
{
    [Fact]
    public void TensorRendersAsTextAndPre()
    {
        using var t = torch.tensor(new float[] { 1, 2 }, new long[] { 2 });
        var bundle = Formatter.ToMimeBundle(t);
        Assert.Equal(t.ToString(), bundle["text/plain"]);
        Assert.Equal("<pre>" + System.Net.WebUtility.HtmlEncode(t.ToString()) + "</pre>", bundle["text/html"]);
    }

    [Fact]
    public void RichObjectsRenderThemselvesAndAlwaysHavePlainText()
    {
        var bundle = Formatter.ToMimeBundle(new HtmlOnly());
        Assert.Equal("<i>x</i>", bundle["text/html"]);
        Assert.Equal("html only", bundle["text/plain"]);
    }

    [Fact]
    public void CollectionsShowTheirItems()
    {
        Assert.Equal("[ 1, 2, 3 ]", Formatter.ToMimeBundle(new List<int> { 1, 2, 3 })["text/plain"]);
        Assert.Equal("[ \"a\" ]", Formatter.ToMimeBundle(new[] { "a" })["text/plain"]);
        Assert.Equal("{ [k] = 1 }", Formatter.ToMimeBundle(new Dictionary<string, int> { ["k"] = 1 })["text/plain"]);
        Assert.Equal("true", Formatter.ToMimeBundle(true)["text/plain"]);
        Assert.Equal("null", Formatter.ToMimeBundle(null)["text/plain"]);
    }

    private sealed class HtmlOnly : IMimeRenderable
    {
        public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string> { ["text/html"] = "<i>x</i>" };

        public override string ToString() => "html only";
    }
}
