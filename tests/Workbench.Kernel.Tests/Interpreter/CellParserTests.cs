using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Tests.Interpreter;

public class CellParserTests
{
    [Fact]
    public void PlainCSharpHasNoDirectives()
    {
        var cell = CellParser.Parse("var x = 1;\nx");
        Assert.False(cell.HasDirectives);
        Assert.Equal("var x = 1;\nx", Assert.Single(cell.Segments).Text);
    }

    [Fact]
    public void NuGetLinesAreTakenOutAndLinesKeepTheirNumbers()
    {
        var cell = CellParser.Parse("#r \"nuget: Plotly.NET, 6.0.0\"\n#r \"nuget:Humanizer\"\n#i \"nuget: https://example.org/v3/index.json\"\nvar x = 1;");
        Assert.Equal(new[] { new PackageRequest("Plotly.NET", "6.0.0"), new PackageRequest("Humanizer", null) }, cell.Packages);
        Assert.Equal("https://example.org/v3/index.json", Assert.Single(cell.Sources));
        Assert.Equal("\n\n\nvar x = 1;", Assert.Single(cell.Segments).Text);
    }

    [Fact]
    public void APathReferenceStaysCSharp()
    {
        var cell = CellParser.Parse("#r \"lib/My.dll\"\nMy.Go();");
        Assert.Empty(cell.Packages);
        Assert.Equal("#r \"lib/My.dll\"\nMy.Go();", Assert.Single(cell.Segments).Text);
    }

    [Fact]
    public void LanguageMagicsSplitTheCellInOrder()
    {
        var cell = CellParser.Parse("#!time\n#!markdown\n# Title\ntext\n#!csharp\n1 + 1");
        Assert.Equal("time", Assert.Single(cell.Magics).Name);
        Assert.Equal(new[] { "markdown", "csharp" }, cell.Segments.Select(s => s.Language));
        Assert.Equal("# Title\ntext", cell.Segments[0].Text);
        Assert.Equal("\n\n\n\n\n1 + 1", cell.Segments[1].Text);
    }

    [Fact]
    public void ValueMagicKeepsItsArguments()
    {
        var cell = CellParser.Parse("#!value --name csv\na,b\n1,2");
        var segment = Assert.Single(cell.Segments);
        Assert.Equal(("value", "--name csv", "a,b\n1,2"), (segment.Language, segment.Arguments, segment.Text));
    }

    [Fact]
    public void UnknownMagicsAreKeptForTheInterpreterToReport()
    {
        Assert.Equal("nonsense", Assert.Single(CellParser.Parse("#!nonsense\n1").Magics).Name);
    }

    [Theory]
    [InlineData("nuget:", "expected")]
    [InlineData("nuget: Two Words, 1.0", "expected")]
    public void MalformedNuGetLinesAreFormatErrors(string reference, string message)
    {
        Assert.Contains(message, Assert.Throws<FormatException>(() => CellParser.Parse($"#r \"{reference}\"")).Message);
    }
}
