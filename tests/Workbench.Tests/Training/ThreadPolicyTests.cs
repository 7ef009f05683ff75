using Workbench.Recipes;
using Workbench.Training;

namespace Workbench.Tests.Training;

public sealed class ThreadPolicyTests
{
    [Fact]
    public void AnExplicitRequestWinsThenTheEnvironmentThenTheIdleCores()
    {
        Assert.Equal(3, ThreadPolicy.Resolve(requested: 3, environment: "2", loadAverage: 0, cores: 8).Threads);
        Assert.Equal(2, ThreadPolicy.Resolve(requested: null, environment: "2", loadAverage: 0, cores: 8).Threads);
        Assert.Equal(8, ThreadPolicy.Resolve(requested: null, environment: "", loadAverage: 0.2, cores: 8).Threads);
    }

    [Theory]
    [InlineData(2, 0.0, 2)]   // idle: every core
    [InlineData(2, 1.1, 1)]   // one busy process: the other core
    [InlineData(2, 7.5, 1)]   // overloaded: never below one
    [InlineData(16, 3.6, 12)]
    public void BusyCoresAreLeftAlone(int cores, double load, int expected)
    {
        var (threads, reason) = ThreadPolicy.Resolve(requested: null, environment: "", loadAverage: load, cores: cores);
        Assert.Equal(expected, threads);
        Assert.Contains("load average", reason);
    }

    [Fact]
    public void ZeroOrNonsenseIsNotARequest()
    {
        Assert.Equal(4, ThreadPolicy.Resolve(requested: 0, environment: "many", loadAverage: 0, cores: 4).Threads);
    }
}
