using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Intrinsics;

using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Writes a PNG band by band as rows are produced, so an image far larger than memory allows (a 24000×16000 upscale
/// is 1.1 GB of 8-bit samples) never exists whole: each row takes the filter (None, Sub, Up or Paeth, from
/// <see cref="PngWriter"/>) whose output has the smallest sum of absolute signed bytes, libpng's heuristic as
/// OpenCV uses it (upscaled rows repeat, which Up catches and one fixed filter would miss), is deflated as it comes
/// and flushed in IDAT chunks of at most 1 MiB. 8- or 16-bit, gray, RGB or RGBA.
/// </summary>
internal sealed class PngStreamWriter : IDisposable
{
    private const int ChunkBytes = 1 << 20;

    private readonly Stream file;
    private readonly IdatStream idat;
    private readonly ZLibStream zlib;
    private readonly int width, height, channels, bitDepth, rowBytes, bpp;
    private byte[] above, row;
    private readonly byte[][] candidates;
    private int rowsWritten;

    public PngStreamWriter(Stream file, int width, int height, int channels, int bitDepth, int level = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG takes 1 (gray), 3 (RGB) or 4 (RGBA) channels here");
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "bit depth is 8 or 16");
        (this.file, this.width, this.height, this.channels, this.bitDepth) = (file, width, height, channels, bitDepth);
        bpp = channels * bitDepth / 8;
        rowBytes = checked(width * bpp);
        (above, row) = (new byte[rowBytes], new byte[rowBytes]);
        candidates = [new byte[rowBytes + 1], new byte[rowBytes + 1], new byte[rowBytes + 1], new byte[rowBytes + 1]];

        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = (byte)bitDepth;
        header[9] = channels switch { 1 => 0, 3 => 2, _ => 6 }; // gray, RGB, RGBA
        header[10] = header[11] = header[12] = 0; // deflate, per-row filters, no interlace
        WriteChunk(file, "IHDR"u8, header);
        idat = new IdatStream(file);
        zlib = new ZLibStream(idat, new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.RunLengthEncoding }, leaveOpen: true);
    }

    /// <summary>The next rows: (rows, width, channels) uint8 for 8-bit, int32 holding 0..65535 for 16-bit.</summary>
    public void WriteRows(Tensor hwc)
    {
        var expected = bitDepth == 8 ? ScalarType.UInt8 : ScalarType.Int32;
        if (hwc.dim() != 3 || hwc.size(1) != width || hwc.size(2) != channels || hwc.dtype != expected)
            throw new ArgumentException($"expected ({width}, {channels}) rows of {expected.TorchName()}, got [{string.Join(", ", hwc.shape)}] {hwc.dtype.TorchName()}", nameof(hwc));
        if (rowsWritten + hwc.size(0) > height) throw new InvalidOperationException($"the image has {height} rows; {rowsWritten + hwc.size(0)} were written");
        const long RowsAtATime = 16; // bounded managed copies of a large band
        for (long start = 0; start < hwc.size(0); start += RowsAtATime)
        {
            var n = (int)Math.Min(RowsAtATime, hwc.size(0) - start);
            using var part = hwc.narrow(0, start, n).contiguous();
            if (bitDepth == 8)
            {
                var bytes = part.data<byte>();
                for (var r = 0; r < n; r++) Emit(bytes.AsSpan(r * rowBytes, rowBytes));
            }
            else
            {
                var samples = part.data<int>();
                var perRow = width * channels;
                for (var r = 0; r < n; r++)
                {
                    var big = new byte[rowBytes];
                    for (var i = 0; i < perRow; i++) BinaryPrimitives.WriteUInt16BigEndian(big.AsSpan(2 * i), (ushort)samples[r * perRow + i]);
                    Emit(big);
                }
            }
        }
    }

    private void Emit(ReadOnlySpan<byte> pixels)
    {
        pixels.CopyTo(row);
        var (none, sub, up, paeth) = (candidates[0], candidates[1], candidates[2], candidates[3]);
        (none[0], sub[0], up[0], paeth[0]) = ((byte)PngFilter.None, (byte)PngFilter.Sub, (byte)PngFilter.Up, (byte)PngFilter.Paeth);
        row.CopyTo(none.AsSpan(1));
        PngWriter.Sub(row, sub.AsSpan(1), bpp);
        var (best, cost) = (none, Cost(none));
        void Consider(byte[] candidate)
        {
            var c = Cost(candidate);
            if (c < cost) (best, cost) = (candidate, c);
        }
        Consider(sub);
        if (rowsWritten > 0) // Up and Paeth need the row above
        {
            PngWriter.Up(row, above, up.AsSpan(1));
            PngWriter.Paeth(row, above, paeth.AsSpan(1), bpp);
            Consider(up);
            Consider(paeth);
        }
        zlib.Write(best);
        (above, row) = (row, above);
        rowsWritten++;
    }

    /// <summary>Sum of the filtered bytes read as signed (libpng's "minimum sum of absolute differences").</summary>
    private static long Cost(byte[] filtered)
    {
        var bytes = filtered.AsSpan(1);
        long sum = 0;
        var i = 0;
        while (i + Vector128<byte>.Count <= bytes.Length)
        {
            // 16-bit lanes take up to 2·128 per step: flushed every 128 steps, far below 65535.
            var lanes = Vector128<ushort>.Zero;
            for (var step = 0; step < 128 && i + Vector128<byte>.Count <= bytes.Length; step++, i += Vector128<byte>.Count)
            {
                var magnitude = Vector128.Abs(Vector128.Create(bytes.Slice(i, 16)).AsSByte()).AsByte(); // |−128| wraps to 0x80 = 128
                var (lo, hi) = Vector128.Widen(magnitude);
                lanes += lo + hi;
            }
            sum += Vector128.Sum(Vector128.WidenLower(lanes)) + Vector128.Sum(Vector128.WidenUpper(lanes));
        }
        for (; i < bytes.Length; i++) sum += Math.Abs((int)(sbyte)bytes[i]);
        return sum;
    }

    /// <summary>Ends the stream (last IDAT, IEND); every row must have been written.</summary>
    public void Finish()
    {
        if (rowsWritten != height) throw new InvalidOperationException($"the image has {height} rows; only {rowsWritten} were written");
        zlib.Dispose();
        idat.Flush();
        WriteChunk(file, "IEND"u8, []);
        file.Flush();
    }

    public void Dispose()
    {
        zlib.Dispose();
        idat.Dispose();
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        type.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), PngWriter.Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        stream.Write(chunk);
    }

    /// <summary>Collects deflated bytes and writes them out as IDAT chunks of <see cref="ChunkBytes"/>.</summary>
    private sealed class IdatStream(Stream file) : Stream
    {
        private readonly MemoryStream pending = new();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            pending.Write(buffer);
            while (pending.Length >= ChunkBytes) Emit(ChunkBytes);
        }

        /// <summary>Writes what is pending as a last (shorter) chunk.</summary>
        public override void Flush()
        {
            if (pending.Length > 0) Emit((int)pending.Length);
        }

        private void Emit(int count)
        {
            var data = pending.GetBuffer();
            WriteChunk(file, "IDAT"u8, data.AsSpan(0, count));
            var rest = (int)pending.Length - count;
            Buffer.BlockCopy(data, count, data, 0, rest);
            pending.SetLength(rest);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
