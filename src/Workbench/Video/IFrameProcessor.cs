namespace Workbench.Video;

/// <summary>What <see cref="VideoPipeline"/> does to each frame, in order: BGR bytes in, BGR bytes out.</summary>
public interface IFrameProcessor
{
    /// <summary>The output frame size for input frames of this size.</summary>
    (int Width, int Height) OutputSize(int width, int height);

    /// <summary>Turns one frame (height·width·3 BGR bytes) into the output's; called for consecutive frames, a new shot included.</summary>
    void Process(ReadOnlySpan<byte> bgr, int width, int height, Span<byte> output);

    /// <summary>Indices (among the frames processed) where a scene cut reset the propagation; empty when not stabilising.</summary>
    IReadOnlyList<long> Cuts { get; }
}
