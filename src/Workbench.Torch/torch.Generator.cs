using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class torch
{
    /// <summary>
    /// A private CPU random stream, as torch.Generator: samples drawn through it depend only on its seed and on the
    /// draws before, never on other threads (the global generator behind <see cref="manual_seed"/> is shared).
    /// Not thread-safe itself: one generator per thread.
    /// </summary>
    public sealed class Generator : IDisposable
    {
        // PyTorch's default_rng_seed_val, the seed of a generator nobody seeded.
        private const ulong DefaultSeed = 67280421310721;

        private readonly GeneratorHandle handle;

        public Generator() => handle = new GeneratorHandle(Check(wb_generator_new(DefaultSeed)));

        internal GeneratorHandle Handle => !handle.IsClosed ? handle : throw new ObjectDisposedException(nameof(Generator));

        /// <summary>Restarts the stream from <paramref name="seed"/> (negative seeds wrap, as in PyTorch); returns this generator.</summary>
        public Generator manual_seed(long seed)
        {
            Check(wb_generator_manual_seed(Handle, unchecked((ulong)seed)));
            return this;
        }

        public ulong initial_seed() => wb_generator_initial_seed(Handle);

        public void Dispose() => handle.Dispose();
    }

    /// <summary>Standard normal samples drawn from <paramref name="generator"/> (on the CPU, its device).</summary>
    public static Tensor randn(long[] size, Generator generator, ScalarType? dtype = null, bool requires_grad = false)
        => new(wb_randn_generator(size, size.Length, generator.Handle, dtype is { } d ? (int)d : -1, requires_grad ? 1 : 0));

    /// <summary>Poisson samples with the rates in <paramref name="input"/>, from <paramref name="generator"/> or the global generator.</summary>
    public static Tensor poisson(Tensor input, Generator? generator = null)
        => new(wb_poisson(input.Handle, generator?.Handle ?? GeneratorHandle.Null));
}
