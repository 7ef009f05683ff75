using Workbench.Inference;

namespace Workbench.Tests.Inference;

public sealed class BatchOutputsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-batch-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string[] Inputs(params string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(dir, "in", name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, name);
        }
        return names.Select(n => Path.Combine(dir, "in", n)).ToArray();
    }

    [Fact]
    public void SameStemInputsOfDifferentTypesKeepTheirExtensionOthersDoNot()
    {
        var files = Inputs("gray.jpg", "gray.png", "photo.bmp", "photo.tif", "photo.webp", "alone.jpg", "sub/gray.jpg");
        var plan = BatchOutputs.Plan(Path.Combine(dir, "in"), files, Path.Combine(dir, "out"), ".png");
        var names = plan.Items.Select(i => Path.GetRelativePath(Path.Combine(dir, "out"), i.Output)).ToArray();
        Assert.Equal(new[] { "gray.jpg.png", "gray.png.png", "photo.bmp.png", "photo.tif.png", "photo.webp.png", "alone.png", Path.Combine("sub", "gray.png") }, names);
        Assert.Equal(5, plan.Renamed.Count);
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Empty(plan.Problems(overwrite: false));
    }

    [Fact]
    public void KeepingExtensionsNeverCollides()
    {
        var files = Inputs("gray.jpg", "gray.png");
        var plan = BatchOutputs.Plan(Path.Combine(dir, "in"), files, Path.Combine(dir, "out"), extension: null);
        Assert.Empty(plan.Renamed);
        Assert.Equal(new[] { "gray.jpg", "gray.png" }, plan.Items.Select(i => Path.GetFileName(i.Output)));
    }

    [Fact]
    public void ExistingOutputsAreAProblemOnlyWithoutOverwrite()
    {
        var files = Inputs("a.jpg", "b.jpg");
        var plan = BatchOutputs.Plan(Path.Combine(dir, "in"), files, Path.Combine(dir, "out"), ".png");
        Directory.CreateDirectory(Path.Combine(dir, "out"));
        File.WriteAllText(Path.Combine(dir, "out", "b.png"), "earlier result");
        var problem = Assert.Single(plan.Problems(overwrite: false));
        Assert.Contains("b.png", problem);
        Assert.Contains("--overwrite", problem);
        Assert.Empty(plan.Problems(overwrite: true));
    }

    [Fact]
    public void TheInputFolderAsOutputAndOutputsReplacingInputsAreRefusedEvenWithOverwrite()
    {
        var files = Inputs("a.png", "sub/a.png");
        var same = BatchOutputs.Plan(Path.Combine(dir, "in"), files, Path.Combine(dir, "in") + "/", extension: null);
        Assert.Contains("is the input folder", Assert.Single(same.Problems(overwrite: true)));
        // in/a.png → in/sub/a.png, which is an input.
        var nested = BatchOutputs.Plan(Path.Combine(dir, "in"), files, Path.Combine(dir, "in", "sub"), extension: null);
        Assert.Contains("would replace an input", Assert.Single(nested.Problems(overwrite: true)));
    }

    [Fact]
    public void SamePathFollowsRelativePathsAndLinks()
    {
        var file = Inputs("a.png")[0];
        Assert.True(BatchOutputs.SamePath(file, Path.Combine(dir, "in", "..", "in", "a.png")));
        var link = Path.Combine(dir, "link.png");
        File.CreateSymbolicLink(link, file);
        Assert.True(BatchOutputs.SamePath(file, link));
        Assert.False(BatchOutputs.SamePath(file, Path.Combine(dir, "in", "b.png")));
    }
}
