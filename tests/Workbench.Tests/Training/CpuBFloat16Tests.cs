using Workbench.Training;

namespace Workbench.Tests.Training;

public class CpuBFloat16Tests
{
    [Fact]
    public void BFloat16IsUsedOnlyWhereTheCpuComputesItAndTheFallbackIsSaid()
    {
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        var native = flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
        Assert.Equal(native, CpuBFloat16.IsNative);

        var log = new StringWriter();
        Assert.False(CpuBFloat16.Use(false, "bFloat16=true", log));
        Assert.Equal(native, CpuBFloat16.Use(true, "bFloat16=true", log));
        if (native) Assert.Equal("", log.ToString());
        else Assert.Contains("bFloat16=true: this CPU has neither AVX-512 BF16 nor AMX", log.ToString());
    }
}
