using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Tests.Packages;

public class PackageRequestTests
{
    [Theory]
    [InlineData("nuget: Plotly.NET, 6.0.0", "Plotly.NET", "6.0.0")]
    [InlineData("nuget:Plotly.NET,6.0.0", "Plotly.NET", "6.0.0")]
    [InlineData("nuget: Humanizer", "Humanizer", null)]
    [InlineData("NuGet: Humanizer, 2.*", "Humanizer", "2.*")]
    [InlineData("nuget: X, [1.0,2.0)", "X", "[1.0,2.0)")]
    public void ParsesDotNetInteractiveSyntax(string text, string name, string? version)
    {
        Assert.Equal(new PackageRequest(name, version), PackageRequest.Parse(text));
    }

    [Fact]
    public void NoVersionMeansLatestStable()
    {
        Assert.Equal("*", new PackageRequest("X", null).VersionOrLatest);
    }

    [Fact]
    public void APathIsNotANuGetReference()
    {
        Assert.Null(PackageRequest.Parse("bin/My.dll"));
    }

    [Fact]
    public void PlotlyNetInteractiveRestoresPlotlyNetAtTheSameVersion()
    {
        var (request, note) = PackageAliases.Resolve(new PackageRequest("Plotly.NET.Interactive", "6.0.0"));
        Assert.Equal(new PackageRequest("Plotly.NET", "6.0.0"), request);
        Assert.NotNull(note);
    }
}
