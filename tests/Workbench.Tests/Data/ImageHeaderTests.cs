using Workbench.Data;

namespace Workbench.Tests.Data;

/// <summary>Header cases the generated files do not cover (those are checked against the decoder's sizes in ImageIOTests).</summary>
public sealed class ImageHeaderTests
{
    /// <summary>A JPEG skeleton: SOI, optional APP1/Exif, SOF0 (height x width), SOS, the given scan bytes, then <paramref name="tail"/>.</summary>
    private static byte[] Jpeg(int height, int width, byte[]? exif, byte[] scan, byte[] tail)
    {
        var bytes = new List<byte> { 0xFF, 0xD8 };
        if (exif is not null)
        {
            var payload = "Exif\0\0"u8.ToArray().Concat(exif).ToArray();
            bytes.AddRange([0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
            bytes.AddRange(payload);
        }
        bytes.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]);
        bytes.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        bytes.AddRange(scan);
        bytes.AddRange(tail);
        return bytes.ToArray();
    }

    private static readonly byte[] Eoi = [0xFF, 0xD9];

    /// <summary>A TIFF/EXIF block with one IFD entry: Orientation (SHORT) = <paramref name="orientation"/>.</summary>
    private static byte[] ExifOrientation(int orientation, bool bigEndian) => bigEndian
        ? [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0]
        : [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Jpeg_ReadsSizeAndExifOrientation_InEitherByteOrder(bool bigEndian)
    {
        var info = ImageHeader.Parse(Jpeg(300, 500, ExifOrientation(6, bigEndian), [1, 2, 3], Eoi), requireComplete: true);
        Assert.Equal(new ImageInfo(ImageFormat.Jpeg, 500, 300, 6), info);
        Assert.Equal((500, 300), (info.Height, info.Width));
    }

    [Fact]
    public void Jpeg_ScanWithStuffedBytesAndRestarts_IsComplete_AndTrailingBytesAreTolerated()
    {
        // FF 00 (a stuffed data byte) and FF D0 (a restart marker) do not end the scan; bytes after EOI are ignored, as decoders do.
        var jpeg = Jpeg(8, 8, null, [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56], [.. Eoi, 0x00, 0x11, 0x22]);
        Assert.Equal(8, ImageHeader.Parse(jpeg, requireComplete: true).Width);
    }

    [Fact]
    public void Jpeg_WithoutEndOfImage_IsTruncated_UnlessOnlyTheHeaderIsAskedFor()
    {
        var jpeg = Jpeg(8, 8, null, [0x12, 0xFF, 0x00, 0x34], []);
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => ImageHeader.Parse(jpeg, requireComplete: true)).Message);
        Assert.Equal(8, ImageHeader.Parse(jpeg, requireComplete: false).Height);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void OutOfRangeOrientation_MeansAsStored(int orientation)
    {
        Assert.Equal(1, ImageHeader.Parse(Jpeg(8, 8, ExifOrientation(orientation, false), [], Eoi), requireComplete: true).Orientation);
    }

    [Fact]
    public void Bmp_StoredTopDown_HasPositiveHeight()
    {
        var bmp = new byte[54 + 4 * 2 * 4];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(54).CopyTo(bmp, 10);
        BitConverter.GetBytes(40).CopyTo(bmp, 14);
        BitConverter.GetBytes(4).CopyTo(bmp, 18);
        BitConverter.GetBytes(-2).CopyTo(bmp, 22); // negative height: rows stored top-down
        BitConverter.GetBytes((short)32).CopyTo(bmp, 28);
        Assert.Equal(new ImageInfo(ImageFormat.Bmp, 4, 2, 1), ImageHeader.Parse(bmp, requireComplete: true));
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })] // GIF89a
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50 })] // JPEG 2000
    [InlineData(new byte[] { 0x50, 0x36, 0x0A })]                   // PPM: OpenCV reads it, but this reader accepts five formats only
    public void OtherFormats_AreNotSupported(byte[] data)
    {
        Assert.Null(ImageHeader.Sniff(data));
        Assert.Contains("not a supported image", Assert.Throws<FormatException>(() => ImageHeader.Parse(data, requireComplete: true)).Message);
    }

    [Fact]
    public void ZeroSizedImage_IsDamaged()
    {
        Assert.Contains("0x8", Assert.Throws<FormatException>(() => ImageHeader.Parse(Jpeg(8, 0, null, [], Eoi), requireComplete: true)).Message);
    }
}
