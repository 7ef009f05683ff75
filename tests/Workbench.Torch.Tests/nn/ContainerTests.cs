namespace Workbench.Torch.Tests;

/// <summary>Sequential, ModuleList and ModuleDict: naming, indexing, slicing, mutation.</summary>
public class ContainerTests
{
    [Fact]
    public void SequentialChainsIndexesAndSlicesKeepingNames()
    {
        using var scope = torch.NewDisposeScope();
        var seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
        seq.append(new nn.Sigmoid());
        Assert.Equal(4, seq.Count);
        Assert.IsType<nn.Sigmoid>(seq[-1]);
        Assert.Equal(new long[] { 5, 2 }, seq.call(torch.randn(5, 4)).shape);

        var tail = seq[1..];
        Assert.Equal(new[] { "1", "2", "3" }, tail.named_children().Select(c => c.name));
        Assert.Equal(new[] { "2.weight", "2.bias" }, tail.named_parameters().Select(p => p.name));
        Assert.Same(seq[2], tail[1]);

        var named = new nn.Sequential(("conv", new nn.Conv2d(1, 2, 3)), ("act", new nn.ReLU()));
        Assert.Equal(new[] { "conv.weight", "conv.bias" }, named.state_dict().Keys);
        seq.Dispose();
        named.Dispose();
    }

    [Fact]
    public void ModuleListRenumbersOnInsertAndRegistersAssignments()
    {
        using var list = new nn.ModuleList<nn.Linear>(new nn.Linear(2, 2), new nn.Linear(2, 3));
        list.insert(0, new nn.Linear(2, 4));
        Assert.Equal(new[] { "0", "1", "2" }, list.named_children().Select(c => c.name));
        Assert.Equal(4, list[0].out_features);
        Assert.Equal(3, list[-1].out_features);
        list[1] = new nn.Linear(2, 5);
        Assert.Equal(5, ((nn.Linear)list.get_submodule("1")).out_features);
        list.extend(new[] { new nn.Linear(2, 6) });
        Assert.Equal(new long[] { 4, 5, 3, 6 }, list.Select(l => l.out_features));
        Assert.Equal("""
            ModuleList(
              (0): Linear(in_features=2, out_features=4, bias=True)
              (1): Linear(in_features=2, out_features=5, bias=True)
              (2): Linear(in_features=2, out_features=3, bias=True)
              (3): Linear(in_features=2, out_features=6, bias=True)
            )
            """, list.ToString());
    }

    [Fact]
    public void ModuleDictKeepsInsertionOrder()
    {
        using var dict = new nn.ModuleDict<nn.Module<Tensor, Tensor>>(("b", new nn.ReLU()), ("a", new nn.Tanh()));
        dict["c"] = new nn.Sigmoid();
        Assert.Equal(new[] { "b", "a", "c" }, dict.keys());
        Assert.True(dict.ContainsKey("a"));
        Assert.IsType<nn.Tanh>(dict.pop("a"));
        Assert.Equal(new[] { "b", "c" }, dict.named_children().Select(c => c.name));
        Assert.Throws<KeyNotFoundException>(() => dict["a"]);
    }
}
