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

public class ObjectHtmlTests
{
    private sealed record Person(string Name, int Age);

    [Fact]
    public void RecordsShowAsAPropertyTableUnderTheirText()
    {
        var bundle = Formatter.ToMimeBundle(new Person("Ada", 36));
        Assert.Equal("Person { Name = Ada, Age = 36 }", bundle["text/plain"]);
        Assert.Contains("<td>Name</td><td><div class=\"dni-plaintext\"><pre>Ada</pre></div></td>", bundle["text/html"], StringComparison.Ordinal);
    }

    [Fact]
    public void ListsOfRecordsShowOneColumnPerMember()
    {
        var html = Formatter.ToMimeBundle(new List<Person> { new("Ada", 36), new("Alan", 41) })["text/html"];
        Assert.Contains("<th><i>index</i></th><th>Name</th><th>Age</th>", html, StringComparison.Ordinal);
        Assert.Contains("<pre>Alan</pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void AnonymousObjectsAndScalarListsAreTablesToo()
    {
        Assert.Contains("<td>X</td>", Formatter.ToMimeBundle(new { X = 1, Y = "two" })["text/html"], StringComparison.Ordinal);
        Assert.Contains("<th>value</th>", Formatter.ToMimeBundle(new[] { 1, 2, 3 })["text/html"], StringComparison.Ordinal);
    }

    [Fact]
    public void ScalarsStayPlainText()
    {
        Assert.Equal(new[] { "text/plain" }, Formatter.ToMimeBundle(42).Keys);
        Assert.Equal(new[] { "text/plain" }, Formatter.ToMimeBundle("s").Keys);
        Assert.Equal(new[] { "text/plain" }, Formatter.ToMimeBundle(DateTime.UnixEpoch).Keys);
    }

    [Fact]
    public void AClassWithItsOwnToStringStaysText()
    {
        Assert.Equal(new[] { "text/plain" }, Formatter.ToMimeBundle(new Printed()).Keys);
        Assert.Contains("text/html", Formatter.ToMimeBundle(new Plain()).Keys);
    }

    private sealed class Printed
    {
        public int Layers { get; } = 3;

        public override string ToString() => "Net(3 layers)";
    }

    private sealed class Plain
    {
        public int Layers { get; } = 3;
    }

    [Fact]
    public void LongSequencesStopAfterTwentyItems()
    {
        var html = Formatter.ToMimeBundle(Enumerable.Range(0, 100).ToList())["text/html"];
        Assert.Contains("(more)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<pre>20</pre>", html, StringComparison.Ordinal);
    }
}
