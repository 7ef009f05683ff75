using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Autocast (amp.cpp): ops that benefit from lower precision (matmul, conv, linear, ...) run in
// bfloat16/float16 inside the scope; precision-sensitive ones (softmax, losses, norms) stay float32.
public static partial class torch
{
    /// <summary>
    /// <c>using (torch.autocast("cpu", torch.bfloat16)) { ... }</c>, as PyTorch's torch.autocast.
    /// The state is thread-local, like grad mode. dtype null keeps the device's current autocast dtype
    /// (bfloat16 on CPU, float16 on CUDA). libtorch 1.13 accepts only bfloat16 on CPU and says so.
    /// Like PyTorch, asking for "cuda" autocast where CUDA is unavailable gives a disabled scope.
    /// </summary>
    public static AutocastScope autocast(string device_type, ScalarType? dtype = null, bool enabled = true, bool? cache_enabled = null)
    {
        var device = Device.Parse(device_type).Type;
        if (device == DeviceType.CUDA && !cuda.is_available()) enabled = false;
        return new AutocastScope(device, dtype, enabled, cache_enabled);
    }

    public static bool is_autocast_enabled() => AutocastScope.IsEnabled(DeviceType.CUDA);
    public static bool is_autocast_cpu_enabled() => AutocastScope.IsEnabled(DeviceType.CPU);
    public static ScalarType get_autocast_cpu_dtype() => AutocastScope.GetDtype(DeviceType.CPU);
    public static ScalarType get_autocast_gpu_dtype() => AutocastScope.GetDtype(DeviceType.CUDA);
    public static bool is_autocast_cache_enabled() => wb_autocast_is_cache_enabled() != 0;

    /// <summary>Drops the casted copies of weights autocast keeps while nested scopes are open.</summary>
    public static void clear_autocast_cache() => Check(wb_autocast_clear_cache());
}

/// <summary>Restores the previous autocast state (enabled, dtype, cache) when disposed; scopes nest.</summary>
public sealed class AutocastScope : IDisposable
{
    private readonly DeviceType device;
    private readonly bool previousEnabled;
    private readonly ScalarType previousDtype;
    private readonly bool previousCache;
    private bool disposed;

    internal AutocastScope(DeviceType device, ScalarType? dtype, bool enabled, bool? cacheEnabled)
    {
        this.device = device;
        previousCache = wb_autocast_is_cache_enabled() != 0;
        previousEnabled = IsEnabled(device);
        previousDtype = GetDtype(device);
        // The dtype is set first: if libtorch rejects it, nothing has changed yet.
        Check(wb_autocast_set_dtype((int)device, (int)(dtype ?? previousDtype)));
        Check(wb_autocast_set_enabled((int)device, enabled ? 1 : 0));
        wb_autocast_increment_nesting();
        Check(wb_autocast_set_cache_enabled((cacheEnabled ?? previousCache) ? 1 : 0));
    }

    public DeviceType device_type => device;

    internal static bool IsEnabled(DeviceType device)
    {
        Check(wb_autocast_is_enabled((int)device, out var enabled));
        return enabled != 0;
    }

    internal static ScalarType GetDtype(DeviceType device)
    {
        Check(wb_autocast_get_dtype((int)device, out var dtype));
        return (ScalarType)dtype;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        // The weight-cast cache lives only while some autocast scope is open, as in PyTorch.
        if (wb_autocast_decrement_nesting() == 0) Check(wb_autocast_clear_cache());
        Check(wb_autocast_set_enabled((int)device, previousEnabled ? 1 : 0));
        Check(wb_autocast_set_dtype((int)device, (int)previousDtype));
        Check(wb_autocast_set_cache_enabled(previousCache ? 1 : 0));
    }
}
