using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public sealed class ImageSaverTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-saver-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Tensor Image(float value) => torch.full([3, 8, 8], value);

    private string Rel(string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    [Fact]
    public void NumbersFilesIntoFoldersOfAThousand()
    {
        var saver = new ImageSaver(root);
        using var image = Image(0.5f);
        Assert.Equal("0/0.png", Rel(saver.Save(image)));
        Assert.Equal("0/1.png", Rel(saver.Save(image)));
        Assert.Equal("12/12678.png", Rel(saver.PathFor(12678)));
        Assert.Equal(2, saver.NextNumber);
        using var back = ImageIO.Read(Path.Combine(root, "0", "1.png"));
        Assert.Equal(new long[] { 3, 8, 8 }, back.shape);
        Assert.Equal(128f / 255, back.data<float>()[0], 1e-6);
    }

    [Fact]
    public void ResumesAfterTheHighestExistingNumber()
    {
        var first = new ImageSaver(root, filesPerFolder: 10);
        using var image = Image(0.2f);
        for (var i = 0; i < 23; i++) first.Save(image);
        Assert.True(File.Exists(Path.Combine(root, "2", "22.png")));

        // Clutter a resumed saver must ignore or clean: an empty higher folder, a non-numbered file,
        // a leading-zero name, and a temporary file from a write that was killed before its rename.
        Directory.CreateDirectory(Path.Combine(root, "7"));
        File.WriteAllText(Path.Combine(root, "2", "notes.png"), "x");
        File.WriteAllText(Path.Combine(root, "2", "099.png"), "x");
        var stale = Path.Combine(root, "2", ".23.png.0123456789abcdef.tmp");
        File.WriteAllText(stale, "half");

        var resumed = new ImageSaver(root, filesPerFolder: 10);
        Assert.Equal(23, resumed.NextNumber);
        Assert.Equal("2/23.png", Rel(resumed.Save(image)));
        Assert.False(File.Exists(stale));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), ImageSaver.Enumerate(root).Select(f => f.Number));
    }

    [Fact]
    public void ParallelWritersGetDistinctNumbers()
    {
        var saver = new ImageSaver(root, filesPerFolder: 50);
        using var image = Image(0.7f);
        var bytes = ImageIO.Encode(image, ImageFormat.Png);
        var paths = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => paths.Add(saver.SaveEncoded(saver.Reserve(), bytes)));
        Assert.Equal(200, paths.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), ImageSaver.Enumerate(root).Select(f => f.Number));
        Assert.Equal(4, Directory.GetDirectories(root).Length);
        Assert.Empty(Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ReserveHandsOutConsecutiveBlocks()
    {
        var saver = new ImageSaver(root);
        Assert.Equal(0, saver.Reserve(5));
        Assert.Equal(5, saver.Reserve(3));
        Assert.Equal(8, saver.NextNumber);
        Assert.Throws<ArgumentOutOfRangeException>(() => saver.Reserve(-1));
    }
}
