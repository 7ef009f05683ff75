using Workbench.Data;

namespace Workbench.Tests.Data;

public sealed class ImagesDatasetTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-images-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[] { 1 });
        return path;
    }

    [Fact]
    public void FindsImagesRecursivelySortedAndDeduplicated()
    {
        var b = Touch("b/2.PNG");
        var a = Touch("a/1.jpg");
        var c = Touch("b/deeper/3.webp");
        Touch("notes.txt");
        Touch("a/model.safetensors");
        var dataset = ImagesDataset.FromDirsRecursive(new[] { root, Path.Combine(root, "b") });
        Assert.Equal(new[] { a, b, c }, dataset.Files);
    }

    [Fact]
    public void ShuffleSeedGivesTheSameOrderEveryTime()
    {
        for (var i = 0; i < 20; i++) Touch($"{i / 10}/{i}.png");
        var first = ImagesDataset.FromDirsRecursive(new[] { root }, shuffleSeed: 7).Files;
        Assert.Equal(first, ImagesDataset.FromDirsRecursive(new[] { root }, shuffleSeed: 7).Files);
        Assert.NotEqual(first, ImagesDataset.FromDirsRecursive(new[] { root }).Files);
        Assert.Equal(20, first.Distinct().Count());
    }

    [Fact]
    public void ExtensionFilterAndMissingFolder()
    {
        Touch("x.png");
        var jpg = Touch("y.jpg");
        Assert.Equal(new[] { jpg }, ImagesDataset.FromDirsRecursive(new[] { root }, extensions: new[] { "jpg" }).Files);
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImagesDataset.FromDirsRecursive(new[] { Path.Combine(root, "nope") }));
        Assert.Contains("nope", e.Message);
    }
}
