using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class DegradationPresetsTests
{
    [Fact]
    public void SuperResolutionPresetsEndAtTheLowResolutionSize()
    {
        using var input = Picture(height: 64, width: 96);
        DeterministicAndInRange(DegradationPresets.SuperResolution(4), input, [3, 16, 24]);
        DeterministicAndInRange(DegradationPresets.RealEsrgan(4), input, [3, 16, 24]);
        DeterministicAndInRange(DegradationPresets.RealEsrgan(2), input, [3, 32, 48]);
    }

    [Fact]
    public void CrappifyDeFadeAndOldPhotoKeepTheSize()
    {
        using var input = Picture(height: 64, width: 96);
        DeterministicAndInRange(DegradationPresets.Crappify(), input);
        DeterministicAndInRange(DegradationPresets.Crappify(restoreSize: false), input, [3, 32, 48]);
        DeterministicAndInRange(DegradationPresets.DeFade(), input);
        DeterministicAndInRange(DegradationPresets.OldBlackAndWhite(), input);
    }
}
