using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Tests.Data.Imaging;

public class ImageCodecTests
{
    [Fact]
    public void SixteenBitRgbSamplesSurviveAPngRoundTripInRgbOrder()
    {
        using var scope = torch.NewDisposeScope();
        // (1, 2, 3): a red-ish and a blue-ish pixel, values only 16 bits hold.
        var hwc = torch.tensor(new[] { 65535, 300, 0, 1, 2, 60000 }, [1, 2, 3], ScalarType.Int32);
        var png = ImageCodec.Encode(hwc, ".png", []);
        var decoded = ImageCodec.Decode(png);
        Assert.Equal(ScalarType.Int32, decoded.dtype);
        Assert.Equal(new long[] { 1, 2, 3 }, decoded.shape);
        Assert.Equal(hwc.data<int>(), decoded.data<int>());
    }

    [Fact]
    public void EightBitSamplesFromAStridedTensorEncodeAsTheirValues()
    {
        using var scope = torch.NewDisposeScope();
        var chw = torch.arange(24, dtype: ScalarType.UInt8).view(3, 2, 4);
        var hwc = chw.permute(1, 2, 0); // not contiguous: the codec reads a contiguous copy
        var decoded = ImageCodec.Decode(ImageCodec.Encode(hwc, ".bmp", []));
        Assert.Equal(hwc.contiguous().data<byte>(), decoded.data<byte>());
    }

    [Fact]
    public void DataThatIsNoImageRaisesTheDecodersComplaint()
    {
        var e = Assert.Throws<ImagingException>(() => ImageCodec.Decode("not an image at all"u8));
        Assert.Contains("decoder rejected the data", e.Message);
        Assert.Contains("empty", Assert.Throws<ImagingException>(() => ImageCodec.Decode([])).Message);
    }
}
