using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

using Xunit.Abstractions;

using static Workbench.Tests.Data.ImageTestFiles;

namespace Workbench.Tests.Data;

/// <summary>
/// Decoding is compared with Pillow on files tests/reference/make_test_images.py writes; encoding is checked
/// by round trips. Differences are in 8-bit levels (1 level = 1/255).
/// </summary>
public sealed class ImageIOTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-imageio-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly ImageReadOptions Rgba = new() { Mode = ImageMode.Rgba };
    private static readonly ImageReadOptions Gray = new() { Mode = ImageMode.Gray };

    // ---- decoding, compared with Pillow ---------------------------------------------------------------------

    public static TheoryData<string> LosslessFiles => new()
    {
        "rgb.png", "rgba.png", "la.png", "gray.png", "palette.png", "palette_trns.png", "png_named.jpg",
        "rgb.bmp", "rgb.tiff", "lossless.webp", "rgba_lossless.webp", "orient6.png", "orient8.webp",
        "orient3.tiff", "orient6.tiff",
    };

    [Theory]
    [MemberData(nameof(LosslessFiles))]
    public void Read_LosslessFile_EqualsPillowInEveryMode(string file)
    {
        using var scope = torch.NewDisposeScope();
        var path = FilePath(file);
        // Only float rounding may differ: OpenCV's and Pillow's PNG/BMP/TIFF/WebP decoders give the same integers.
        Assert.True(MaxLevels(ImageIO.Read(path), Expected(file)) < 1e-3);
        Assert.True(MaxLevels(ImageIO.Read(path, Rgba), Expected(file + "|rgba")) < 1e-3);
        Assert.True(MaxLevels(ImageIO.Read(path, Gray), Expected(file + "|gray")) < 1e-3);
    }

    [Theory]
    [InlineData("rgb.jpg")]
    [InlineData("rgb_progressive.jpg")]
    [InlineData("rgb_420.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("lossy.webp")]
    [InlineData("orient1.jpg")]
    [InlineData("orient2.jpg")]
    [InlineData("orient3.jpg")]
    [InlineData("orient4.jpg")]
    [InlineData("orient5.jpg")]
    [InlineData("orient6.jpg")]
    [InlineData("orient7.jpg")]
    [InlineData("orient8.jpg")]
    public void Read_LossyFile_WithinOneLevelOfPillow(string file)
    {
        // Both sides link Debian's libjpeg-turbo 2.1.5 and libwebp 1.2.4 with the same settings (islow DCT,
        // fancy upsampling): measured 0 levels here. One level of slack for other builds of those libraries.
        using var scope = torch.NewDisposeScope();
        var levels = MaxLevels(ImageIO.Read(FilePath(file)), Expected(file));
        output.WriteLine($"{file}: {levels:F3} levels");
        Assert.True(levels <= 1.0, $"{file}: {levels} levels");
    }

    [Fact]
    public void Read_CmykJpeg_WithinOneLevelOfPillow()
    {
        // OpenCV turns Adobe (inverted) CMYK into RGB as k - ((255 - c) * k >> 8), Pillow as (255 - C)(255 - K) / 255.
        using var scope = torch.NewDisposeScope();
        var levels = MaxLevels(ImageIO.Read(FilePath("cmyk.jpg")), Expected("cmyk.jpg"));
        output.WriteLine($"cmyk.jpg: {levels:F3} levels");
        Assert.True(levels <= 1.0 + 1e-3, $"{levels} levels");
    }

    [Theory]
    [InlineData("orient1.jpg", 28, 40)]
    [InlineData("orient3.jpg", 28, 40)]
    [InlineData("orient5.jpg", 40, 28)]
    [InlineData("orient6.jpg", 40, 28)]
    [InlineData("orient8.jpg", 40, 28)]
    [InlineData("orient6.png", 40, 28)]
    [InlineData("orient8.webp", 40, 28)]
    [InlineData("orient6.tiff", 40, 28)]
    public void Read_AppliesOrientation_AndReadInfoReportsTheTurnedSize(string file, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, height, width }, ImageIO.Read(FilePath(file)).shape);
        var info = ImageIO.ReadInfo(FilePath(file));
        Assert.Equal((height, width), (info.Height, info.Width));
        Assert.Equal((28, 40), (info.StoredHeight, info.StoredWidth));
    }

    [Theory]
    [InlineData("orient6.jpg", "orient1.jpg")]
    [InlineData("orient8.webp", "lossless.webp")]
    [InlineData("orient6.tiff", "rgb.tiff")] // OpenCV turns TIFFs itself; the reader turns them back
    public void Read_WithoutOrientation_GivesThePixelsAsStored(string turned, string plain)
    {
        using var scope = torch.NewDisposeScope();
        var stored = ImageIO.Read(FilePath(turned), new ImageReadOptions { ApplyOrientation = false });
        Assert.Equal(0.0, MaxLevels(stored, ImageIO.Read(FilePath(plain))));
    }

    [Theory]
    [InlineData("rgb16.png")]
    [InlineData("rgba16.png")]
    [InlineData("gray16.png")]
    public void Read_16BitPng_Keeps16BitPrecision(string file)
    {
        using var scope = torch.NewDisposeScope();
        var image = ImageIO.Read(FilePath(file));
        Assert.True(image.sub(Expected(file)).abs().max().item<float>() < 1e-6); // a 16-bit step is 1.5e-5
        var offGrid = image.mul(255).sub(image.mul(255).round()).abs().max().item<float>();
        Assert.True(offGrid > 0.1, "values lie on the 8-bit grid: the 16-bit samples were truncated");
        if (file == "rgba16.png")
            Assert.True(ImageIO.Read(FilePath(file), Rgba).sub(Expected(file + "|rgba")).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Read_16BitTiff_KeepsPrecisionAndOrientation()
    {
        using var scope = torch.NewDisposeScope();
        var image = ImageIO.Read(FilePath("gray16_orient8.tiff"), Gray);
        Assert.Equal(new long[] { 1, 40, 28 }, image.shape);
        Assert.True(image.sub(Expected("gray16_orient8.tiff|gray")).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Read_RgbaTiff_UndoesLibtiffPremultiplication()
    {
        using var scope = torch.NewDisposeScope();
        var composited = MaxLevels(ImageIO.Read(FilePath("rgba.tiff")), Expected("rgba.tiff"));
        Assert.True(composited <= 0.5 + 1e-3, $"{composited} levels"); // only libtiff's rounding of c * a
        // Straight colour is recovered to within 0.5 / alpha levels: compare where alpha >= 1/2.
        var rgba = ImageIO.Read(FilePath("rgba.tiff"), Rgba);
        var expected = Expected("rgba.tiff|rgba");
        var opaque = expected.narrow(0, 3, 1).ge(0.5);
        var straight = rgba.sub(expected).abs().mul(opaque).max().item<float>() * 255;
        output.WriteLine($"composited {composited:F3} levels, straight colour (alpha >= 0.5) {straight:F3} levels");
        Assert.True(straight <= 1.0 + 1e-3, $"{straight} levels");
    }

    [Fact]
    public void Read_CompositesAlphaOverTheChosenBackground()
    {
        using var scope = torch.NewDisposeScope();
        var black = ImageIO.Read(FilePath("rgba.png"), new ImageReadOptions { Background = (0f, 0f, 0f) });
        var rgba = Expected("rgba.png|rgba");
        var expected = rgba.narrow(0, 0, 3).mul(rgba.narrow(0, 3, 1));
        Assert.True(MaxLevels(black, expected) < 1e-3);
    }

    [Fact]
    public void Read_GrayAlphaMode_GivesLumaAndAlpha()
    {
        using var scope = torch.NewDisposeScope();
        var la = ImageIO.Read(FilePath("la.png"), new ImageReadOptions { Mode = ImageMode.GrayAlpha });
        var rgba = Expected("la.png|rgba");
        Assert.Equal(new long[] { 2, 28, 40 }, la.shape);
        Assert.True(MaxLevels(la.narrow(0, 0, 1), rgba.narrow(0, 0, 1)) < 1e-3); // gray stored as gray
        Assert.True(MaxLevels(la.narrow(0, 1, 1), rgba.narrow(0, 3, 1)) < 1e-3);
    }

    // ---- files that must be refused -------------------------------------------------------------------------

    [Theory]
    [InlineData("empty.png", "empty")]
    [InlineData("text.png", "not a supported image")]
    [InlineData("only_signature.png", "truncated")]
    [InlineData("truncated.jpg", "truncated")]
    [InlineData("truncated.png", "decoder rejected")]
    [InlineData("truncated.webp", "truncated")]
    [InlineData("truncated.bmp", "truncated")]
    [InlineData("truncated.tiff", "truncated")]
    [InlineData("truncated_raw.tiff", "decoder rejected")]
    [InlineData("corrupt.png", "decoder rejected")]
    [InlineData("bomb.png", "decompression bomb")]
    [InlineData("bomb.jpg", "decompression bomb")]
    public void Read_BadFile_ThrowsImageDecodeExceptionNamingFileAndProblem(string file, string problem)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Read(FilePath(file)));
        output.WriteLine(e.Message);
        Assert.Contains(file, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Equal(FilePath(file), e.FileName);
    }

    [Fact]
    public void ReadBytes_NamesTheDataInErrors()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.ReadBytes("GIF89a......"u8.ToArray(), "upload #7"));
        Assert.Contains("upload #7", e.Message);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 28, 40 }, ImageIO.ReadBytes(File.ReadAllBytes(FilePath("rgb.png")), "x").shape);
    }

    [Fact]
    public void Read_MissingFile_IsAnIOErrorNotADecodeError()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ImageIO.Read(Path.Combine(folder, "missing.png")));
        Assert.IsNotType<ImageDecodeException>(e);
    }

    [Fact]
    public void Read_HonoursMaxPixels()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Read(FilePath("rgb.png"), new ImageReadOptions { MaxPixels = 1000 }));
        Assert.Contains("40x28 = 1,120 pixels", e.Message);
    }

    [Fact]
    public void ReadInfo_ReadsHeadersOnly()
    {
        Assert.Equal(new ImageInfo(ImageFormat.Png, 100000, 100000, 1), ImageIO.ReadInfo(FilePath("bomb.png")));
        Assert.Equal(new ImageInfo(ImageFormat.Png, 40, 28, 1), ImageIO.ReadInfo(FilePath("png_named.jpg")));
        Assert.Equal(ImageFormat.WebP, ImageIO.ReadInfo(FilePath("lossy.webp")).Format);
    }

    [Fact]
    public void Read_IsThreadSafe()
    {
        string[] files = ["rgb.png", "rgba.png", "rgb.jpg", "orient6.jpg", "lossy.webp", "rgb16.png", "rgb.tiff", "rgb.bmp", "cmyk.jpg"];
        var reference = files.Select(f => ImageIO.Read(FilePath(f)).DetachFromDisposeScope()).ToArray();
        var mismatches = 0;
        Parallel.For(0, files.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using var scope = torch.NewDisposeScope();
            var k = i % files.Length;
            if (!ImageIO.Read(FilePath(files[k])).equal(reference[k])) Interlocked.Increment(ref mismatches);
            Assert.Throws<ImageDecodeException>(() => ImageIO.Read(FilePath("truncated.png")));
        });
        foreach (var t in reference) t.Dispose();
        Assert.Equal(0, mismatches);
    }

    // ---- encoding -------------------------------------------------------------------------------------------

    /// <summary>A CHW image on the 8-bit (or 16-bit) grid, so lossless formats must give it back exactly.</summary>
    private static Tensor Quantized(long channels, double levels = 255)
    {
        torch.manual_seed(channels);
        return torch.rand(channels, 19, 23).mul(levels).round().div(levels);
    }

    [Theory]
    [InlineData("x.png", 3)]
    [InlineData("x.png", 4)]
    [InlineData("x.png", 1)]
    [InlineData("x.bmp", 3)]
    [InlineData("x.tiff", 3)]
    [InlineData("x.tif", 4)]
    [InlineData("x.webp", 3)]
    [InlineData("x.webp", 4)]
    public void Write_LosslessFormat_RoundTripsExactly(string name, int channels)
    {
        using var scope = torch.NewDisposeScope();
        var image = Quantized(channels);
        var path = Path.Combine(folder, name);
        ImageIO.Write(path, image);
        var mode = channels switch { 1 => ImageMode.Gray, 3 => ImageMode.Rgb, _ => ImageMode.Rgba };
        Assert.True(MaxLevels(ImageIO.Read(path, new ImageReadOptions { Mode = mode }), image) < 1e-3);
    }

    [Theory]
    [InlineData("x16.png")]
    [InlineData("x16.tiff")]
    public void Write_16Bit_RoundTripsTo16BitPrecision(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var image = torch.rand(3, 17, 21);
        var path = Path.Combine(folder, name);
        ImageIO.Write(path, image, bitDepth: 16);
        var error = ImageIO.Read(path).sub(image).abs().max().item<float>();
        Assert.True(error <= 0.5 / 65535 + 1e-7, $"error {error}");
    }

    [Fact]
    public void Write_Jpeg_QualityTradesSizeForError()
    {
        using var scope = torch.NewDisposeScope();
        var image = ImageIO.Read(FilePath("rgb.png"));
        var high = ImageIO.Encode(image, ImageFormat.Jpeg, quality: 95);
        var low = ImageIO.Encode(image, ImageFormat.Jpeg, quality: 20);
        var highError = ImageIO.ReadBytes(high).sub(image).abs().mean().item<float>();
        var lowError = ImageIO.ReadBytes(low).sub(image).abs().mean().item<float>();
        output.WriteLine($"q95: {high.Length} bytes, mean error {highError * 255:F2} levels; q20: {low.Length} bytes, {lowError * 255:F2} levels");
        Assert.True(low.Length < high.Length);
        Assert.True(highError < lowError);
    }

    [Fact]
    public void Write_FilesArePillowReadable_WithTheSamePixels()
    {
        using var scope = torch.NewDisposeScope();
        var written = new Dictionary<string, (Tensor Image, string Mode, double Tolerance)>
        {
            ["rgb.png"] = (Quantized(3), "RGB", 0),
            ["rgba.png"] = (Quantized(4), "RGBA", 0),
            ["gray.png"] = (Quantized(1), "L", 0),
            ["gray16.png"] = (Quantized(1, 65535), "I", 0),
            ["rgb.bmp"] = (Quantized(3), "RGB", 0),
            ["rgb.tiff"] = (Quantized(3), "RGB", 0),
            ["rgb.webp"] = (Quantized(3), "RGB", 0),
            ["rgba.webp"] = (Quantized(4), "RGBA", 0),
            ["rgb.jpg"] = (ImageIO.Read(FilePath("rgb.png")), "RGB", 0), // compared with our own decode of the file
        };
        foreach (var (name, (image, _, _)) in written)
            ImageIO.Write(Path.Combine(folder, name), image, bitDepth: name.Contains("16") ? 16 : 8);
        var decoded = SafeTensors.Load(Path.Combine(PythonReference.Run("decode_with_pillow.py", folder), "decoded.safetensors"));
        foreach (var (name, (image, mode, tolerance)) in written)
        {
            Assert.Equal(mode, System.Text.Encoding.ASCII.GetString(decoded[name + "|mode"].data<byte>()));
            var expected = name.EndsWith(".jpg") ? ImageIO.Read(Path.Combine(folder, name)) : image;
            var error = decoded[name].sub(expected).abs().max().item<float>();
            Assert.True(error <= tolerance + 1e-6, $"{name}: Pillow reads values {error} away");
        }
    }

    [Fact]
    public void Write_ClampsOutOfRangeValues_AndAcceptsUInt8()
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.tensor(new[] { -0.5f, 0.25f, 1.5f, 1f }, [1, 2, 2]);
        var decoded = ImageIO.ReadBytes(ImageIO.Encode(image, ImageFormat.Png), options: Gray);
        Assert.Equal(new[] { 0f, 64f / 255, 1f, 1f }, decoded.flatten().data<float>());
        var bytes = torch.tensor(new byte[] { 0, 64, 255, 255 }, [1, 2, 2]);
        Assert.True(decoded.equal(ImageIO.ReadBytes(ImageIO.Encode(bytes, ImageFormat.Png), options: Gray)));
    }

    [Fact]
    public void Write_ReplacesTheFileAtomically_LeavingNoTemporaryFiles()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(folder, "atomic.png");
        File.WriteAllText(path, "old contents");
        ImageIO.Write(path, Quantized(3));
        Assert.Equal(new[] { "atomic.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(new long[] { 3, 19, 23 }, ImageIO.Read(path).shape);
        // A failing encode leaves the old file alone.
        Assert.ThrowsAny<Exception>(() => ImageIO.Write(path, torch.rand(2, 4, 4)));
        Assert.Equal(new[] { "atomic.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_RejectsWhatTheFormatCannotStore()
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.rand(3, 4, 4);
        Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(folder, "a.jpg"), image, bitDepth: 16));
        Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(folder, "a.gif"), image));
        Assert.Throws<ArgumentException>(() => ImageIO.Write(Path.Combine(folder, "a.png"), image, quality: 90));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageIO.Write(Path.Combine(folder, "a.jpg"), image, quality: 0));
        Assert.Throws<ArgumentException>(() => ImageIO.Encode(torch.rand(2, 4, 4), ImageFormat.Png));
        Assert.Throws<ArgumentException>(() => ImageIO.Encode(torch.ones([3, 4, 4], ScalarType.Int64), ImageFormat.Png));
        Assert.Throws<DirectoryNotFoundException>(() => ImageIO.Write(Path.Combine(folder, "no", "such", "a.png"), image));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
