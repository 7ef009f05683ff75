using System.Runtime.InteropServices;

using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

/// <summary>The torch namespace: tensor creation, global state, and free functions, with PyTorch's names.</summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.UInt8;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType @bool = ScalarType.Bool;
    public const ScalarType half = ScalarType.Float16;
    public const ScalarType @float = ScalarType.Float32;
    public const ScalarType @double = ScalarType.Float64;
    public const ScalarType @long = ScalarType.Int64;
    public const ScalarType @int = ScalarType.Int32;

    public static readonly Device CPU = Device.CPU;
    public static readonly Device CUDA = Device.CUDA;

    /// <summary>
    /// libtorch defaults to one intra-op thread here; Workbench uses every core unless
    /// WORKBENCH_NUM_THREADS says otherwise.
    /// </summary>
    static torch()
    {
        var configured = Environment.GetEnvironmentVariable("WORKBENCH_NUM_THREADS");
        var threads = int.TryParse(configured, out var n) && n > 0 ? n : Environment.ProcessorCount;
        Check(wb_set_num_threads(threads));
    }

    public static Device device(string spec) => Device.Parse(spec);

    // ---- global state ------------------------------------------------------------------
    public static string __version__ => Marshal.PtrToStringUTF8(wb_version()) ?? "unknown";

    /// <summary>libtorch's build configuration (BLAS, oneDNN, OpenMP), as torch.__config__.show().</summary>
    public static string config_show() => Marshal.PtrToStringUTF8(wb_config()) ?? "";

    public static void manual_seed(long seed) => Check(wb_manual_seed(unchecked((ulong)seed)));
    public static ulong initial_seed() => wb_initial_seed();
    public static Tensor get_rng_state() => new(wb_get_rng_state());
    public static void set_rng_state(Tensor state) => Check(wb_set_rng_state(state.Handle));
    public static void set_num_threads(int n) => Check(wb_set_num_threads(n));
    public static int get_num_threads() => wb_get_num_threads();

    /// <summary>
    /// Intra-op threads for ops called from the current thread only (no PyTorch twin: PyTorch's data-loader workers are
    /// processes and call set_num_threads(1)). Worker threads that each run ops on 2 cores would otherwise fight the
    /// training thread's team: measured 155 → 110 ms per loader epoch.
    /// </summary>
    public static void set_num_threads_this_thread(int n) => Check(wb_set_num_threads_this_thread(n));
    public static void use_deterministic_algorithms(bool mode) => Check(wb_set_deterministic(mode ? 1 : 0));

    public static class cuda
    {
        public static bool is_available() => wb_cuda_is_available() != 0;
        public static int device_count() => wb_cuda_device_count();
        public static void synchronize() => Check(wb_cuda_synchronize());
    }

    public static class backends
    {
        public static class mkldnn
        {
            public static bool is_available() => wb_mkldnn_is_available() != 0;
        }
    }

    // ---- grad mode ---------------------------------------------------------------------
    /// <summary><c>using (torch.no_grad()) { ... }</c>: ops inside record no graph.</summary>
    public static GradModeScope no_grad() => new(false);

    /// <summary>Re-enables gradient recording inside a no_grad block.</summary>
    public static GradModeScope enable_grad() => new(true);

    public static GradModeScope set_grad_enabled(bool enabled) => new(enabled);
    public static bool is_grad_enabled() => wb_is_grad_enabled() != 0;

    /// <summary>Opens a scope that frees every tensor created in it (on this thread) when disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    // ---- creation ----------------------------------------------------------------------
    private static (int dtype, int type, int index, int grad) Opts(ScalarType? dtype, Device? device, bool requires_grad) =>
        (dtype.HasValue ? (int)dtype.Value : -1, device.HasValue ? (int)device.Value.Type : -1, device?.Index ?? -1, requires_grad ? 1 : 0);

    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_empty(size, size.Length, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor empty(params long[] size) => empty(size, null);
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_zeros(size, size.Length, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor zeros(params long[] size) => zeros(size, null);
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_ones(size, size.Length, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor ones(params long[] size) => ones(size, null);
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_rand(size, size.Length, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor rand(params long[] size) => rand(size, null);
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_randn(size, size.Length, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor randn(params long[] size) => randn(size, dtype: null);

    /// <summary>Like PyTorch, the dtype follows the fill value (int → int64, bool → bool) unless given.</summary>
    public static Tensor full(long[] size, Scalar fill_value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var o = Opts(dtype ?? (fill_value.IsBool ? ScalarType.Bool : fill_value.IsIntegral ? ScalarType.Int64 : null), device, requires_grad);
        return new(wb_full(size, size.Length, fill_value.Value, o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>Integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null)
    {
        var o = Opts(dtype ?? ScalarType.Int64, device, false);
        return new(wb_randint(low, high, size, size.Length, o.dtype, o.type, o.index, 0));
    }

    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null) => randint(0, high, size, dtype, device);
    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype ?? ScalarType.Int64, device, false); return new(wb_randperm(n, o.dtype, o.type, o.index, 0)); }

    /// <summary>[start, end) in steps; integer arguments give int64, as in PyTorch.</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar? step = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var o = Opts(dtype, device, requires_grad);
        return new(wb_arange(start.Value, end.Value, (step ?? 1).Value, o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_linspace(start, end, steps, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype, device, false); return new(wb_eye(n, m ?? n, o.dtype, o.type, o.index, 0)); }

    public static Tensor empty_like(Tensor t, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype, device, false); return new(wb_empty_like(t.Handle, o.dtype, o.type, o.index, 0)); }
    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_zeros_like(t.Handle, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) { var o = Opts(dtype, device, requires_grad); return new(wb_ones_like(t.Handle, o.dtype, o.type, o.index, o.grad)); }
    public static Tensor full_like(Tensor t, Scalar fill_value, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype, device, false); return new(wb_full_like(t.Handle, fill_value.Value, o.dtype, o.type, o.index, 0)); }
    public static Tensor rand_like(Tensor t, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype, device, false); return new(wb_rand_like(t.Handle, o.dtype, o.type, o.index, 0)); }
    public static Tensor randn_like(Tensor t, ScalarType? dtype = null, Device? device = null) { var o = Opts(dtype, device, false); return new(wb_randn_like(t.Handle, o.dtype, o.type, o.index, 0)); }

    /// <summary>A tensor holding a copy of <paramref name="data"/>, shaped by <paramref name="shape"/> (default 1-D).</summary>
    public static Tensor tensor<T>(T[] data, long[]? shape = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
        => FromSpan<T>(data, shape ?? new long[] { data.Length }, dtype, device, requires_grad);

    public static Tensor tensor<T>(T[,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
        => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], data.Length), new long[] { data.GetLength(0), data.GetLength(1) }, dtype, device, requires_grad);

    public static Tensor tensor<T>(T[,,] data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
        => FromSpan(MemoryMarshal.CreateReadOnlySpan(ref data[0, 0, 0], data.Length), new long[] { data.GetLength(0), data.GetLength(1), data.GetLength(2) }, dtype, device, requires_grad);

    /// <summary>A 0-dim tensor; like PyTorch, a double becomes float32 unless a dtype is given.</summary>
    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(Array.Empty<long>(), value, dtype ?? ScalarType.Float32, device, requires_grad);
    public static Tensor tensor(long value, ScalarType? dtype = null, Device? device = null) => full(Array.Empty<long>(), value, dtype ?? ScalarType.Int64, device);
    public static Tensor tensor(bool value) => full(Array.Empty<long>(), value, ScalarType.Bool);

    /// <summary>Copies a span of host values into a new tensor of the given shape.</summary>
    public static Tensor from_span<T>(ReadOnlySpan<T> data, long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
        => FromSpan(data, shape, dtype, device, requires_grad);

    private static Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, ScalarType? dtype, Device? device, bool requires_grad) where T : unmanaged
    {
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != data.Length) throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {data.Length} were given");
        Tensor t;
        unsafe
        {
            fixed (T* p = data) t = new Tensor(wb_from_data(p, shape, shape.Length, (int)ScalarTypeExtensions.Of<T>()));
        }
        if ((dtype is null || dtype == t.dtype) && (device is null || device == Device.CPU) && !requires_grad) return t;
        using (t)
        {
            var converted = t.to(device ?? Device.CPU, dtype ?? t.dtype);
            if (requires_grad) converted.requires_grad = true;
            return converted;
        }
    }
}

/// <summary>Restores the previous grad mode when disposed; scopes nest.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool previous;

    internal GradModeScope(bool enabled) => previous = wb_set_grad_enabled(enabled ? 1 : 0) != 0;

    public void Dispose() => wb_set_grad_enabled(previous ? 1 : 0);
}
