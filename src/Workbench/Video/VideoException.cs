namespace Workbench.Video;

/// <summary>A video that cannot be opened, decoded or written; the message names the file (and the frame, where one is at fault).</summary>
public sealed class VideoException(string message) : IOException(message);
