using Workbench.Display;

namespace Workbench.Tests.Display;

public class TableTests
{
    [Fact]
    public void RendersHtmlWithEscapedCellsAndAlignedText()
    {
        var table = new Table("model", "psnr").AddRow("espcn <x2>", 31.23456).AddRow("rrdb", 32.5);
        var bundle = table.ToMimeBundle();
        Assert.Contains("<th>model</th>", bundle["text/html"]);
        Assert.Contains("<td>espcn &lt;x2&gt;</td><td>31.23</td>", bundle["text/html"]);
        Assert.Equal("model       psnr\n----------  -----\nespcn <x2>  31.23\nrrdb        32.5", bundle["text/plain"]);
    }

    [Fact]
    public void FromUsesPublicProperties()
    {
        var table = Table.From(new[] { new { Name = "a", Value = 1 }, new { Name = "b", Value = 2 } });
        Assert.Equal(new[] { "Name", "Value" }, table.Columns);
        Assert.Equal("2", table.Rows[1][1]);
    }

    [Fact]
    public void RowOfTheWrongWidthIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new Table("a", "b").AddRow(1));
    }
}
