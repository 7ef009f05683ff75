namespace Workbench.Data;

/// <summary>
/// An image file that cannot be decoded: empty, not an image, truncated, corrupt, or larger than
/// <see cref="ImageReadOptions.MaxPixels"/>. An <see cref="IOException"/>, so a loader that skips unreadable
/// files catches it together with missing ones.
/// </summary>
public sealed class ImageDecodeException : IOException
{
    public ImageDecodeException(string fileName, string problem, Exception? innerException = null)
        : base($"cannot decode image '{fileName}': {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The path (or the name given for in-memory data) of the image.</summary>
    public string FileName { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
