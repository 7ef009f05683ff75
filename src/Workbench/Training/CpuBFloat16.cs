namespace Workbench.Training;

/// <summary>
/// Whether this CPU computes bfloat16 natively. oneDNN runs bf16 convolutions in hardware only with AVX-512 BF16 or
/// AMX; elsewhere it emulates them, and bf16 autocast is slower than float32 by far (measured on an AVX2-only AMD
/// EPYC: a Zhang training step 12.3 s in bf16 against ~0.25 s on an AVX-512 BF16 EPYC). Settings that ask for bf16
/// fall back to float32 there and say so.
/// </summary>
public static class CpuBFloat16
{
    private static readonly Lazy<bool> Native = new(() => Flags().Overlaps(["avx512_bf16", "amx_bf16"]));

    /// <summary>True when /proc/cpuinfo lists avx512_bf16 or amx_bf16.</summary>
    public static bool IsNative => Native.Value;

    /// <summary>
    /// <paramref name="requested"/>, unless this CPU would emulate bf16: then false, after one line on <paramref name="log"/>
    /// naming <paramref name="setting"/> and why.
    /// </summary>
    public static bool Use(bool requested, string setting, TextWriter? log)
    {
        if (!requested || IsNative) return requested;
        log?.WriteLine($"{setting}: this CPU has neither AVX-512 BF16 nor AMX, so bfloat16 would be emulated (tens of times slower); running in float32");
        return false;
    }

    private static HashSet<string> Flags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? [] : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
