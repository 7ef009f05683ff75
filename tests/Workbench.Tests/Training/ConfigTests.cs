using Workbench.Training;

namespace Workbench.Tests.Training;

public sealed class ConfigTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record Example
    {
        public int Iterations { get; init; } = 1000; // steps per phase
        public double LearningRate { get; init; } = 1e-3;
        public bool Augment { get; init; } = true;
        public string Model { get; init; } = "espcn";
        public int[] Sizes { get; init; } = { 64, 96 };
    }

    [Fact]
    public void FileThenCommandLineOverridesTheDefaults()
    {
        var file = Path.Combine(dir, "c.json");
        File.WriteAllText(file, """{ "iterations": 50, "model": "rrdb", "sizes": [32] }""");
        var c = Config.Resolve(new Example(), file, new[] { "model=espcn", "learningRate=0.01", "augment=false", "sizes=16,24,32" });
        Assert.Equal(50, c.Iterations);
        Assert.Equal("espcn", c.Model);
        Assert.Equal(0.01, c.LearningRate);
        Assert.False(c.Augment);
        Assert.Equal(new[] { 16, 24, 32 }, c.Sizes);
        Assert.Contains("\"learningRate\": 0.01", Config.ToJson(c));
    }

    [Theory]
    [InlineData("sizes=64")]
    [InlineData("sizes=[64]")]
    public void ASingleValueForAListKeyIsAOneElementList(string assignment)
    {
        Assert.Equal(new[] { 64 }, Config.Resolve(new Example(), overrides: new[] { assignment }).Sizes);
    }

    [Fact]
    public void UnknownKeysAndBadValuesAreClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => Config.Resolve(new Example(), overrides: new[] { "lr=1" }));
        Assert.Contains("unknown config key 'lr'", e.Message);
        Assert.Contains("learningRate", e.Message);
        Assert.Throws<ArgumentException>(() => Config.Resolve(new Example(), overrides: new[] { "iterations=many" }));
        Assert.Throws<ArgumentException>(() => Config.Resolve(new Example(), overrides: new[] { "iterations" }));
        Assert.Throws<FileNotFoundException>(() => Config.Resolve(new Example(), Path.Combine(dir, "missing.json")));
    }
}
