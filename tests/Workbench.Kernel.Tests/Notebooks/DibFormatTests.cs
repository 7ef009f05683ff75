using Workbench.Kernel.Notebooks;

namespace Workbench.Kernel.Tests.Notebooks;

public class DibFormatTests
{
    private const string Dib = """
        #!meta

        {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

        #!markdown

        # Title

        #!csharp

        #!time
        var x = 1;

        #!c#

        x
        """;

    [Fact]
    public void CellsSplitOnKernelLinesAndMagicsStayInside()
    {
        var document = DibFormat.Read(Dib);
        Assert.Equal(3, document.Cells.Count);
        Assert.False(document.Cells[0].IsCode);
        Assert.Equal("# Title", document.Cells[0].Source);
        Assert.Equal("#!time\nvar x = 1;", document.Cells[1].Source);
        Assert.Equal(("csharp", "x"), (document.Cells[2].Language, document.Cells[2].Source));
        Assert.Equal(".net-csharp", (string?)document.Metadata["kernelspec"]?["name"]);
    }

    [Fact]
    public void DibToIpynbAndBackKeepsTheCells()
    {
        var ipynb = IpynbFormat.Write(DibFormat.Read(Dib));
        var back = DibFormat.Read(DibFormat.Write(IpynbFormat.Read(ipynb)));
        Assert.Equal(new[] { "# Title", "#!time\nvar x = 1;", "x" }, back.Cells.Select(c => c.Source));
        Assert.Contains("\"kernelName\": \"csharp\"", ipynb, StringComparison.Ordinal);
    }

    [Fact]
    public void OlderIpynbLanguageMetadataIsRead()
    {
        var document = IpynbFormat.Read("""
            {"cells":[{"cell_type":"code","metadata":{"dotnet_interactive":{"language":"fsharp"}},"source":["let x = 1\n","x"],"outputs":[],"execution_count":null}],
             "metadata":{},"nbformat":4,"nbformat_minor":4}
            """);
        Assert.Equal(("fsharp", "let x = 1\nx"), (document.Cells[0].Language, document.Cells[0].Source));
    }
}
