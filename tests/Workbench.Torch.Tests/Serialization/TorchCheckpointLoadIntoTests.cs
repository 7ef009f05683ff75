using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Serialization;

/// <summary>
/// <see cref="TorchCheckpoint.LoadStateDictInto"/> fills existing tensors with exactly what
/// <see cref="TorchCheckpoint.LoadStateDict(string)"/> returns: in place when dtype and layout allow, through a
/// temporary otherwise (another dtype, a non-contiguous target); a target of the wrong shape names the entry.
/// </summary>
public class TorchCheckpointLoadIntoTests
{
    [Theory]
    [MemberData(nameof(TorchCheckpointTests.Files), MemberType = typeof(TorchCheckpointTests))]
    public void TargetsReceiveWhatLoadStateDictReturns(string file)
    {
        using var scope = torch.NewDisposeScope();
        var path = TorchCheckpointTests.PathOf(file);
        var expected = TorchCheckpoint.LoadStateDict(path);
        var targets = new Dictionary<string, Tensor>();
        var i = 0;
        foreach (var (name, t) in expected)
        {
            // Every third float32 entry goes through the temporary: as float64, or into a transposed (non-contiguous) target.
            targets[name] = (i++ % 3, t.dtype) switch
            {
                (1, ScalarType.Float32) => torch.zeros(t.shape, ScalarType.Float64),
                (2, ScalarType.Float32) when t.dim() == 2 => torch.zeros([t.size(1), t.size(0)], t.dtype).t(),
                _ => torch.zeros(t.shape, t.dtype),
            };
        }
        var read = TorchCheckpoint.LoadStateDictInto(path, targets);
        Assert.Equal(expected.Keys.ToList(), read);
        foreach (var (name, t) in expected)
            Assert.True(Same(targets[name], t.to(targets[name].dtype)), $"{file}:{name} differs from LoadStateDict's");
    }

    /// <summary>Equal element by element, NaN matching NaN (the files hold special values).</summary>
    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && ((a == b) | (a.isnan() & b.isnan())).all().item<bool>();

    [Fact]
    public void ATargetOfAnotherShapeIsRefusedByName()
    {
        using var scope = torch.NewDisposeScope();
        var file = (string)((IEnumerable<object[]>)TorchCheckpointTests.Files()).First()[0];
        var path = TorchCheckpointTests.PathOf(file);
        var targets = TorchCheckpoint.LoadStateDict(path).ToDictionary(kv => kv.Key, kv => torch.zeros(kv.Value.shape, kv.Value.dtype));
        var (name, first) = targets.First(kv => kv.Value.dim() > 0);
        targets[name] = torch.zeros([first.numel() + 1], first.dtype);
        var e = Assert.Throws<TorchCheckpointFormatException>(() => TorchCheckpoint.LoadStateDictInto(path, targets));
        Assert.Contains($"'{name}'", e.Message);
    }
}
