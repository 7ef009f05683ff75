namespace Workbench.Data.Imaging;

/// <summary>An OpenCV call in libworkbench_imaging failed (an encoder refused the pixels, a bad size or sample type); the message is OpenCV's or ours.</summary>
public sealed class ImagingException : Exception
{
    public ImagingException(string message) : base(message) { }
}
