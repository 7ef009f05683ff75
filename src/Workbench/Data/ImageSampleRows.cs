using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// An image's samples as <see cref="ImageSamples"/> gives them ((H, W, C), uint8 or int32 holding 16-bit values),
/// handed out in bands of rows from the top, so that a consumer working down the image (the tiled upscaler) need
/// not hold all of it. A non-interlaced PNG is decoded as the bands are asked for (<see cref="PngRowReader"/>) and
/// rows a caller has <see cref="Release"/>d are dropped; any other file (JPEG, TIFF, WebP, an interlaced PNG) is
/// decoded whole, once, as 8- or 16-bit samples, and bands are views of it.
/// </summary>
internal abstract class ImageSampleRows : IDisposable
{
    public abstract long Height { get; }

    public abstract long Width { get; }

    public abstract long Channels { get; }

    /// <summary>UInt8, or Int32 for 16-bit files.</summary>
    public abstract ScalarType DType { get; }

    /// <summary>True when rows are decoded as they are asked for; false when the image was decoded whole.</summary>
    public abstract bool Streamed { get; }

    /// <summary>Rows [first, first + count) as (count, W, C), in the current dispose scope.</summary>
    public abstract Tensor Rows(long first, long count);

    /// <summary>Rows above <paramref name="row"/> will not be asked for again (a streamed source frees them).</summary>
    public virtual void Release(long row)
    {
    }

    public abstract void Dispose();

    /// <summary>The file's samples: streamed for a non-interlaced PNG, else decoded whole.</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable 8- or 16-bit image.</exception>
    public static ImageSampleRows Open(string path)
    {
        var png = PngRowReader.TryOpen(path, out _);
        return png is null ? new Decoded(ImageSamples.Read(path), owned: true) : new PngRows(png);
    }

    /// <summary>Samples already decoded; disposed with this object only when <paramref name="owned"/>.</summary>
    public static ImageSampleRows Of(Tensor samples, bool owned = false) => new Decoded(samples, owned);

    protected void CheckRange(long first, long count)
    {
        if (first < 0 || count < 1 || first + count > Height)
            throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) of an image of {Height} rows");
    }

    private sealed class Decoded(Tensor samples, bool owned) : ImageSampleRows
    {
        public override long Height => samples.size(0);
        public override long Width => samples.size(1);
        public override long Channels => samples.size(2);
        public override ScalarType DType => samples.dtype;
        public override bool Streamed => false;

        public override Tensor Rows(long first, long count)
        {
            CheckRange(first, count);
            return samples.narrow(0, first, count);
        }

        public override void Dispose()
        {
            if (owned) samples.Dispose();
        }
    }

    /// <summary>A window of decoded rows that grows downwards as rows are asked for and shrinks as they are released.</summary>
    private sealed class PngRows(PngRowReader reader) : ImageSampleRows
    {
        private readonly List<Array> window = [];
        private long windowStart; // the row window[0] holds
        private readonly int rowLength = checked(reader.Width * reader.Channels);

        public override long Height => reader.Height;
        public override long Width => reader.Width;
        public override long Channels => reader.Channels;
        public override ScalarType DType => reader.Sixteen ? ScalarType.Int32 : ScalarType.UInt8;
        public override bool Streamed => true;

        public override Tensor Rows(long first, long count)
        {
            CheckRange(first, count);
            if (first < windowStart) throw new InvalidOperationException($"row {first} was released (rows from {windowStart} are held)");
            while (windowStart + window.Count < first + count) window.Add(NextRow());
            var offset = (int)(first - windowStart);
            long[] shape = [count, Width, Channels];
            if (reader.Sixteen) return torch.tensor(Join<int>(offset, (int)count), shape);
            return torch.tensor(Join<byte>(offset, (int)count), shape);
        }

        private T[] Join<T>(int offset, int count) where T : unmanaged
        {
            var joined = new T[(long)count * rowLength];
            for (var i = 0; i < count; i++) Array.Copy(window[offset + i], 0, joined, (long)i * rowLength, rowLength);
            return joined;
        }

        private Array NextRow()
        {
            if (reader.Sixteen)
            {
                var samples = new int[rowLength];
                reader.ReadRow(samples);
                return samples;
            }
            var bytes = new byte[rowLength];
            reader.ReadRow(bytes);
            return bytes;
        }

        public override void Release(long row)
        {
            var n = (int)Math.Clamp(row - windowStart, 0, window.Count);
            window.RemoveRange(0, n);
            windowStart += n;
        }

        public override void Dispose() => reader.Dispose();
    }
}
