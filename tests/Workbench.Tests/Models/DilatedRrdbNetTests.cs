using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class DilatedRrdbNetTests
{
    [Fact]
    public void BlockMatchesPyTorchWithTheNotesKeys()
    {
        using var block = new DilatedRrdb(8, dr_layers: 3);
        SrReference.AssertModuleMatches("dilated_rrdb_block", block);
    }

    [Fact]
    public void SmallNetMatchesPyTorchWithTheNotesKeys()
    {
        using var model = new DilatedRrdbNet(scale: 2, channels: 8, num_res_blocks: 2, head_channels: 16);
        SrReference.AssertModuleMatches("dilated_rrdb_net", model);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void UpscalesByItsFactor(int scale)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new DilatedRrdbNet(scale, channels: 8, num_res_blocks: 1, head_channels: 8);
        Assert.Equal([1, 3, 9 * scale, 6 * scale], model.call(torch.rand(1, 3, 9, 6)).shape);
    }

    [Fact]
    public void TheNotesFinalModelHasTheirParameterCount()
    {
        // The notes: "Количество весов в генераторе: 16 293 763" for channels 64, 16 blocks, 3-conv dense blocks, x2.
        using var model = new DilatedRrdbNet();
        Assert.Equal(16_293_763, model.count_parameters());
    }

    [Fact]
    public void RejectsWrongInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new DilatedRrdbNet(channels: 8, num_res_blocks: 1);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 4, 8, 8))).Message);
        Assert.Throws<ArgumentException>(() => new DilatedRrdbNet(scale: 2, channels: 8, head: new UpsampleHead(16, 2)));
    }
}
