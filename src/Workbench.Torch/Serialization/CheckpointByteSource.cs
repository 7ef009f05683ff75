using System.Buffers.Binary;

namespace Workbench.Torch.Serialization;

/// <summary>
/// Sequential, buffered reads from a stream that holds at most <see cref="Length"/> bytes, with the position known.
/// Every read checks the bytes left first, so a declared length larger than the data is refused before anything is
/// allocated; a stream that ends before its declared length (a truncated or changed file) is a format error too.
/// </summary>
internal sealed class CheckpointByteSource
{
    private readonly Stream stream;
    private readonly byte[] buffer = new byte[1 << 16];
    private int bufferPos, bufferLen;

    public CheckpointByteSource(Stream stream, long length, string source, string part)
    {
        this.stream = stream;
        Length = length;
        Source = source;
        Part = part;
    }

    public string Source { get; }

    /// <summary>What is being read, for messages: "data.pkl", "the file".</summary>
    public string Part { get; }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public TorchCheckpointFormatException Error(string problem, Exception? inner = null) => new(Source, problem, inner);

    private TorchCheckpointFormatException EndOfData(long wanted) =>
        Error($"{Part} ends early: {wanted} more bytes needed at byte {Position}, {Remaining} left (is the file truncated?)");

    private bool Fill()
    {
        if (bufferPos < bufferLen) return true;
        var want = (int)Math.Min(buffer.Length, Remaining);
        if (want <= 0) return false;
        int n;
        try
        {
            n = stream.Read(buffer, 0, want);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw Error($"reading {Part} failed at byte {Position}: {e.Message}", e);
        }
        if (n <= 0) throw Error($"{Part} ends at byte {Position}, before the {Length} bytes it declares (is the file truncated?)");
        bufferPos = 0;
        bufferLen = n;
        return true;
    }

    public byte ReadByte()
    {
        if (!Fill()) throw EndOfData(1);
        Position++;
        return buffer[bufferPos++];
    }

    public void ReadExactly(Span<byte> destination)
    {
        if (destination.Length > Remaining) throw EndOfData(destination.Length);
        while (destination.Length > 0)
        {
            if (bufferPos == bufferLen && destination.Length >= buffer.Length)
            {
                // Large reads bypass the buffer.
                int n;
                try
                {
                    n = stream.Read(destination);
                }
                catch (Exception e) when (e is IOException or InvalidDataException)
                {
                    throw Error($"reading {Part} failed at byte {Position}: {e.Message}", e);
                }
                if (n <= 0) throw Error($"{Part} ends at byte {Position}, before the {Length} bytes it declares (is the file truncated?)");
                Position += n;
                destination = destination[n..];
                continue;
            }
            Fill();
            var take = Math.Min(destination.Length, bufferLen - bufferPos);
            buffer.AsSpan(bufferPos, take).CopyTo(destination);
            bufferPos += take;
            Position += take;
            destination = destination[take..];
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes into a new array. The array grows as data arrives, so a length field
    /// that lies costs no more memory than the bytes really there.
    /// </summary>
    public byte[] ReadBytes(long count, string what)
    {
        if (count < 0) throw Error($"{what} has a negative length ({count}) at byte {Position}");
        if (count > Remaining) throw Error($"{what} declares {count} bytes at byte {Position}, but only {Remaining} are left in {Part}");
        if (count > Array.MaxLength) throw Error($"{what} declares {count} bytes, more than one array can hold");
        const int Step = 1 << 20;
        if (count <= Step)
        {
            var small = new byte[count];
            ReadExactly(small);
            return small;
        }
        var result = new byte[Step];
        long done = 0;
        while (done < count)
        {
            if (done == result.Length) Array.Resize(ref result, (int)Math.Min(count, Math.Min((long)result.Length * 2, Array.MaxLength)));
            var chunk = (int)Math.Min(result.Length - done, count - done);
            ReadExactly(result.AsSpan((int)done, chunk));
            done += chunk;
        }
        return result;
    }

    /// <summary>Bytes up to a newline (not included), at most <paramref name="maxLength"/> of them.</summary>
    public byte[] ReadLine(int maxLength, string what)
    {
        var line = new List<byte>(Math.Min(maxLength, 64));
        while (true)
        {
            if (Remaining <= 0) throw Error($"{what} at byte {Position} has no end of line before the end of {Part}");
            var b = ReadByte();
            if (b == (byte)'\n') return line.ToArray();
            if (line.Count >= maxLength) throw Error($"{what} at byte {Position} is longer than {maxLength} bytes");
            line.Add(b);
        }
    }

    public void Skip(long count)
    {
        if (count > Remaining) throw EndOfData(count);
        var fromBuffer = (int)Math.Min(count, bufferLen - bufferPos);
        bufferPos += fromBuffer;
        Position += fromBuffer;
        count -= fromBuffer;
        if (count == 0) return;
        if (stream.CanSeek)
        {
            try
            {
                stream.Seek(count, SeekOrigin.Current);
            }
            catch (Exception e) when (e is IOException or NotSupportedException)
            {
                throw Error($"seeking in {Part} failed at byte {Position}: {e.Message}", e);
            }
            Position += count;
            return;
        }
        var scratch = new byte[(int)Math.Min(count, 1 << 20)];
        while (count > 0)
        {
            var n = (int)Math.Min(count, scratch.Length);
            ReadExactly(scratch.AsSpan(0, n));
            count -= n;
        }
    }

    public ushort ReadUInt16() { Span<byte> b = stackalloc byte[2]; ReadExactly(b); return BinaryPrimitives.ReadUInt16LittleEndian(b); }

    public int ReadInt32() { Span<byte> b = stackalloc byte[4]; ReadExactly(b); return BinaryPrimitives.ReadInt32LittleEndian(b); }

    public uint ReadUInt32() { Span<byte> b = stackalloc byte[4]; ReadExactly(b); return BinaryPrimitives.ReadUInt32LittleEndian(b); }

    public long ReadInt64() { Span<byte> b = stackalloc byte[8]; ReadExactly(b); return BinaryPrimitives.ReadInt64LittleEndian(b); }

    public ulong ReadUInt64() { Span<byte> b = stackalloc byte[8]; ReadExactly(b); return BinaryPrimitives.ReadUInt64LittleEndian(b); }

    public double ReadDoubleBigEndian() { Span<byte> b = stackalloc byte[8]; ReadExactly(b); return BinaryPrimitives.ReadDoubleBigEndian(b); }
}
